// Which modules `tessera start` loads before it serves its first request, and how much source
// each package brings (architecture.md §9, "Memory"): starts the CLI on a fresh SQLite data
// directory with a module-counting preload, waits for the first 200, and prints the census.
//   node bench/tools/module-census.mjs [--bin packages/server/bin/tessera.js] [--top 40]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startTesseraProcess } from '../lib/tessera-process.mjs'

const { values } = parseArgs({ options: { bin: { type: 'string' }, top: { type: 'string' } } })
const bin = values.bin && resolve(values.bin)
const register = new URL('./module-census/register.mjs', import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), 'tessera-census-'))
const log = join(dir, 'modules.log')
const server = await startTesseraProcess(dir, {
  nodeFlags: ['--import', register],
  bin,
  env: { MODULE_CENSUS_LOG: log },
  stdio: 'inherit',
  poll: 50,
  timeout: 60_000,
})
await server.stop()
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
