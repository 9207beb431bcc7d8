// Profiles POST /oauth/introspect and GET /v1/session over real sockets with Linux `perf`, side by
// side (issue 17 target 3): one build of the server in its own process, run as for
// ab-token-endpoint.mjs (bench/tools/ab-token-server.mjs) with --perf-basic-prof-only-functions so
// JIT frames have names, loaded by the bench's loader (50 connections). Unlike a V8 cpu-profile it
// sees native frames too: Node's HTTP parser, the socket's writev, SQLite, SHA-256, the kernel.
// Prints, per request (µs of samples at 2 kHz), the JS call tree of each endpoint, native leaves
// folded into their JS caller, next to each other. perf inflates both; compare them, not absolutes.
// Usage: node bench/tools/perf-introspection.mjs [dist] [sqlite|postgres] [seconds] [depth] [min µs]
//   (needs `perf`: apt-get install linux-perf; run as a user allowed to attach to the process)
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { processCpu } from '../lib/backend-cpu.mjs'
import { startChild } from '../lib/child-server.mjs'
import { startLoader } from '../lib/loader.mjs'

const [dist, database = 'sqlite', seconds = '8', depth = '6', minimum = '0.4'] = process.argv.slice(2)
const HZ = 2000
const dir = mkdtempSync(join(tmpdir(), 'tessera-perf-'))
const server = await startChild(
  new URL('./ab-token-server.mjs', import.meta.url).pathname,
  { dist: dist === '-' ? undefined : dist, database, which: 'introspect' },
  { env: { NODE_OPTIONS: '--perf-basic-prof-only-functions' } },
)
const loader = startLoader({ duration: Number(seconds), connections: 50 })
// Warm-up of both, so the JIT has settled before the recorded runs.
for (const kind of ['session', 'introspect', 'session', 'introspect']) {
  const [path, options] = server.requests[kind]
  await loader.run(`${server.address}${path}`, { ...options, seconds: 2 })
}

/** Folded stacks of one recorded run: JS frames only, a native leaf kept as the last frame. */
async function folded(file) {
  const { stdout } = await promisify(execFile)('perf', ['script', '-i', file, '-F', 'ip,sym'], { maxBuffer: 1 << 30 })
  const stacks = new Map()
  for (const sample of stdout.split('\n\n')) {
    const symbols = sample
      .split('\n')
      .map((line) => line.trim().split(/\s+/).slice(1).join(' '))
      .filter(Boolean)
    if (symbols.length === 0) continue
    const frames = symbols
      .toReversed()
      .map(jsFrame)
      .filter((frame) => frame !== null)
    if (jsFrame(symbols[0]) === null) frames.push(`native:${symbols[0].slice(0, 50)}`)
    const key = frames.join(';')
    stacks.set(key, (stacks.get(key) ?? 0) + 1)
  }
  return stacks
}

function jsFrame(symbol) {
  const match = /^JS:[*~^]?(\S*)\s+(\S+):(\d+):\d+/.exec(symbol)
  if (!match) return null
  const file = match[2]
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\//, '')
    .replace(/.*\/dist\//, '')
  return `${match[1] || '(anonymous)'} ${file}:${match[3]}`
}

/** Inclusive µs per request of every call path (a prefix of frames). */
function tree(stacks, requests) {
  const totals = new Map()
  for (const [key, samples] of stacks) {
    const frames = key.split(';')
    for (let end = 1; end <= frames.length; end++) {
      const path = frames.slice(0, end).join(';')
      totals.set(path, (totals.get(path) ?? 0) + (samples * 1e6) / HZ / requests)
    }
  }
  return totals
}

const trees = {}
for (const kind of ['introspect', 'session']) {
  const [path, options] = server.requests[kind]
  const file = join(dir, `${kind}.data`)
  const perf = spawn('perf', ['record', '-F', String(HZ), '-g', '-o', file, '-p', String(server.pid)], { stdio: 'ignore' })
  await new Promise((resolve) => setTimeout(resolve, 500))
  const cpu = processCpu(server.pid)
  const result = await loader.run(`${server.address}${path}`, options)
  const micros = ((processCpu(server.pid) - cpu) * 1e6) / result.total
  perf.kill('SIGINT')
  await new Promise((resolve) => perf.on('exit', resolve))
  console.log(`${kind} (${database}): ${Math.round(result.rate)} req/s, ${micros.toFixed(0)} µs CPU per request under perf`)
  trees[kind] = tree(await folded(file), result.total)
}
loader.close()
await server.close()
rmSync(dir, { recursive: true, force: true })

const { introspect, session } = trees
function print(prefix, level) {
  const children = [...new Set([...introspect.keys(), ...session.keys()])].filter(
    (path) => path.split(';').length === level + 1 && (prefix === '' || path.startsWith(`${prefix};`)),
  )
  children.sort((a, b) => (introspect.get(b) ?? 0) + (session.get(b) ?? 0) - (introspect.get(a) ?? 0) - (session.get(a) ?? 0))
  for (const path of children) {
    const [i, s] = [introspect.get(path) ?? 0, session.get(path) ?? 0]
    if (Math.max(i, s) < Number(minimum)) continue
    console.log(`${'  '.repeat(level)}${path.split(';').at(-1)}  introspect ${i.toFixed(2)}  session ${s.toFixed(2)}`)
    if (level + 1 < Number(depth)) print(path, level + 1)
  }
}
print('', 0)
process.exit(0)
