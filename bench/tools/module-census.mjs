// Which modules `tessera start` loads before it serves its first request, and how much source
// each package brings (architecture.md §9, "Memory"): starts the CLI on a fresh SQLite data
// directory with a module-counting preload, waits for the first 200, and prints the census.
//   node bench/tools/module-census.mjs [--bin packages/server/bin/tessera.js] [--top 40]
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { bin: { type: 'string' }, top: { type: 'string' } } })
const bin = resolve(values.bin ?? new URL('../../packages/server/bin/tessera.js', import.meta.url).pathname)
const register = new URL('./module-census/register.mjs', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'tessera-census-'))
const log = join(dir, 'modules.log')
const port = await new Promise((done) => {
  const server = createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address()
    server.close(() => done(port))
  })
})
const address = `http://127.0.0.1:${port}`
const child = spawn(process.execPath, ['--import', register, bin, 'start'], {
  env: {
    ...process.env,
    MODULE_CENSUS_LOG: log,
    TESSERA_DATA_DIR: dir,
    TESSERA_DATABASE_URL: `sqlite:${join(dir, 'tessera.db')}`,
    TESSERA_PORT: String(port),
    TESSERA_HOST: '127.0.0.1',
    TESSERA_ISSUER: address,
    TESSERA_LOG_LEVEL: 'silent',
  },
  stdio: 'inherit',
})
try {
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tessera start exited (${child.exitCode})`)
    if (
      await fetch(`${address}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break
    if (Date.now() > deadline) throw new Error('no 200 within 60 s')
    await new Promise((done) => setTimeout(done, 50))
  }
} finally {
  if (child.exitCode === null) {
    const exited = new Promise((done) => child.once('exit', done))
    child.kill('SIGTERM')
    await exited
  }
}
const packages = new Map()
let modules = 0
let bytes = 0
for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
  const [size, url] = line.split('\t')
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  const ownFolder = /packages\/server\/dist\/([^/]+)/.exec(url)
  const name = inPackage ? inPackage[1] : ownFolder ? `tessera: ${ownFolder[1]}/` : url.replace(/^file:\/\//, '')
  const entry = packages.get(name) ?? { modules: 0, bytes: 0 }
  entry.modules++
  entry.bytes += Number(size)
  packages.set(name, entry)
  modules++
  bytes += Number(size)
}
rmSync(dir, { recursive: true, force: true })
console.log(`${modules} modules, ${(bytes / 1048576).toFixed(1)} MB of source, loaded by the first 200`)
for (const [name, entry] of [...packages].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, Number(values.top ?? 40)))
  console.log(`${(entry.bytes / 1024).toFixed(0).padStart(7)} KB ${String(entry.modules).padStart(5)}  ${name}`)
