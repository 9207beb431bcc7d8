// What one refresh-token rotation allocates (issue 17 target 4): the rotations of
// callgrind-refresh.mjs (20 chains through Fastify's inject, in this process) under V8's sampling
// heap profiler, counting the objects the garbage collector took back too (the profiler's
// includeObjectsCollectedBy* flags), so the figure is what a rotation allocates, not what it keeps.
// Prints the bytes per rotation: the total, by the function that allocated (self, with its file),
// and by the first frame of each stack in a folder of the server (`src/<folder>/…`), and the
// collections the window ran (PerformanceObserver 'gc': how many, and their time per rotation).
// Sampled: one sample per `interval` bytes on average, so small items are estimates; compare builds
// by the large ones, or by runs of several thousand rotations.
// Usage: node bench/tools/alloc-refresh.mjs [dist|-] [rotations] [warm-up] [rows] [interval bytes]
import { Session } from 'node:inspector/promises'
import { PerformanceObserver } from 'node:perf_hooks'
import { injectRefreshChains } from '../lib/inject-refresh-chains.mjs'

const [dist, count = '5000', warmUp = '3000', rows = '40', interval = '128'] = process.argv.slice(2)
const { server, run } = await injectRefreshChains({ dist: dist === '-' ? undefined : dist })

await run(Number(warmUp))
const gcs = { count: 0, ms: 0, byKind: new Map() }
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcs.count++
    gcs.ms += entry.duration
    const kind = entry.detail?.kind ?? entry.kind
    gcs.byKind.set(kind, (gcs.byKind.get(kind) ?? 0) + 1)
  }
})
observer.observe({ entryTypes: ['gc'] })
const session = new Session()
session.connect()
await session.post('HeapProfiler.enable')
await session.post('HeapProfiler.startSampling', {
  samplingInterval: Number(interval),
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
})
const cpuStart = process.cpuUsage()
await run(Number(count))
const cpu = process.cpuUsage(cpuStart)
const { profile } = await session.post('HeapProfiler.stopSampling')
session.disconnect()
await new Promise((resolve) => setImmediate(resolve))
observer.disconnect()
await server.close()

const n = Number(count)
const self = new Map()
const byFolder = new Map()
let total = 0
const where = (frame) => {
  const url = frame.url.replace(/^file:\/\//, '')
  const at = url.search(/\/(packages\/server\/(dist|src)|node_modules)\//)
  return `${frame.functionName || '(anonymous)'} ${at >= 0 ? url.slice(at + 1) : url || '(native)'}:${frame.lineNumber + 1}`
}
// The innermost frame in the server's own code: its folder, and the function, are charged.
const serverFrame = (stack) => {
  for (let i = stack.length - 1; i >= 0; i--) {
    const match = /packages\/server\/(?:dist|src)\/([^/]+)\//.exec(stack[i].url)
    if (match) return { folder: match[1], frame: stack[i] }
  }
  return null
}
const byServerFunction = new Map()
function walk(node, stack) {
  const path = [...stack, node.callFrame]
  const bytes = node.selfSize
  if (bytes > 0) {
    total += bytes
    const key = where(node.callFrame)
    self.set(key, (self.get(key) ?? 0) + bytes)
    const charged = serverFrame(path)
    const folder = charged?.folder ?? '(outside the server)'
    byFolder.set(folder, (byFolder.get(folder) ?? 0) + bytes)
    const fn = charged ? where(charged.frame) : '(outside the server)'
    byServerFunction.set(fn, (byServerFunction.get(fn) ?? 0) + bytes)
  }
  for (const child of node.children) walk(child, path)
}
walk(profile.head, [])
const per = (bytes) => (bytes / n).toFixed(0).padStart(7)
console.log(
  `${n} rotations after ${warmUp} of warm-up, sampled every ${interval} bytes: ${per(total).trim()} bytes allocated per rotation; ` +
    `${gcs.count} collections (${[...gcs.byKind].map(([kind, c]) => `kind ${kind}: ${c}`).join(', ')}), ` +
    `${((gcs.ms * 1000) / n).toFixed(1)} µs of GC pause per rotation; ${((cpu.user + cpu.system) / n).toFixed(0)} µs CPU per rotation (under the sampler)`,
)
console.log('\nby the innermost folder of the server on the stack (bytes per rotation):')
for (const [folder, bytes] of [...byFolder].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${per(bytes)}  ${folder}`)
console.log('\nby the innermost function of the server on the stack (bytes per rotation):')
for (const [key, bytes] of [...byServerFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) console.log(`${per(bytes)}  ${key}`)
console.log('\nby allocating function (self, bytes per rotation):')
for (const [key, bytes] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) console.log(`${per(bytes)}  ${key}`)
process.exit(0)
