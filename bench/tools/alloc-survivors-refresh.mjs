// What a refresh-token rotation allocates that outlives a scavenge (issue 17 target 4): the objects the
// young generation's collector did not take back, which are promoted to the old generation and
// cost a mark-compact to free. The rotations of alloc-refresh.mjs (20 chains through Fastify's
// inject, in this process), under V8's sampling heap profiler three times, `rotations` each:
//   1. every sample kept (as alloc-refresh.mjs): what each function allocates;
//   2. keeping the samples of objects a mark-compact took back, dropping those a scavenge took
//      back (includeObjectsCollectedByMajorGC only); after the window one scavenge drops the young
//      garbage of its last rotations, so what remains is what outlived a scavenge. A mark-compact
//      in the window also takes back the young garbage of that moment, which counts here too: read
//      each function's share of what it allocates (the last column), not its bytes alone;
//   3. dropping both, after a scavenge and a mark-compact: what is still alive at the end.
// Printed by the innermost function of the server on the stack and by allocating function, bytes
// per rotation, beside the collections of the second window (PerformanceObserver 'gc', by kind: 1
// minor, 4 major, 8 incremental). Sampled (one sample per `interval` bytes on average): compare the
// large items. Issue 17 found with it that what outlives a scavenge here is inject's own (its
// request, its response and the head Node wrote for it): bench/tools/gc-refresh.mjs compares the
// server over sockets.
// Usage: node bench/tools/alloc-survivors-refresh.mjs [dist|-] [rotations] [warm-up] [rows] [interval bytes]
import { Session } from 'node:inspector/promises'
import { PerformanceObserver } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { injectRefreshChains } from '../lib/inject-refresh-chains.mjs'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc')
const [dist, count = '3000', warmUp = '3000', rows = '30', interval = '128'] = process.argv.slice(2)
const n = Number(count)
const { server, run } = await injectRefreshChains({ dist: dist === '-' ? undefined : dist })
await run(Number(warmUp))

const session = new Session()
session.connect()
await session.post('HeapProfiler.enable')

async function sampled(keep, before, after) {
  await before?.()
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: Number(interval),
    includeObjectsCollectedByMajorGC: keep !== 'none',
    includeObjectsCollectedByMinorGC: keep === 'all',
  })
  await run(n)
  await after()
  const { profile } = await session.post('HeapProfiler.stopSampling')
  return profile
}

const gcs = new Map()
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = entry.detail?.kind ?? entry.kind
    gcs.set(kind, (gcs.get(kind) ?? 0) + 1)
  }
})
const allocated = await sampled('all', undefined, () => {})
const survivors = await sampled(
  'major',
  () => {
    gc({ type: 'major' })
    observer.observe({ entryTypes: ['gc'] })
  },
  () => {
    observer.disconnect()
    gc({ type: 'minor' })
  },
)
const live = await sampled(
  'none',
  () => gc({ type: 'major' }),
  () => {
    gc({ type: 'minor' })
    gc({ type: 'major' })
  },
)
session.disconnect()
await server.close()

const where = (frame) => {
  const url = frame.url.replace(/^file:\/\//, '')
  const at = url.search(/\/(packages\/server\/(dist|src)|node_modules)\//)
  return `${frame.functionName || '(anonymous)'} ${at >= 0 ? url.slice(at + 1) : url || '(native)'}:${frame.lineNumber + 1}`
}
const serverFrame = (stack) => {
  for (let i = stack.length - 1; i >= 0; i--) if (/packages\/server\/(?:dist|src)\//.test(stack[i].url)) return stack[i]
  return null
}
function summarise(profile) {
  const self = new Map()
  const byServer = new Map()
  let total = 0
  const walk = (node, stack) => {
    const path = [...stack, node.callFrame]
    if (node.selfSize > 0) {
      total += node.selfSize
      const key = where(node.callFrame)
      self.set(key, (self.get(key) ?? 0) + node.selfSize)
      const charged = serverFrame(path)
      const fn = charged ? where(charged) : '(outside the server)'
      byServer.set(fn, (byServer.get(fn) ?? 0) + node.selfSize)
    }
    for (const child of node.children) walk(child, path)
  }
  walk(profile.head, [])
  return { total, self, byServer }
}
const per = (bytes) => (bytes / n).toFixed(0).padStart(7)
const all = summarise(allocated)
const a = summarise(survivors)
const b = summarise(live)
console.log(
  `${n} rotations a window after ${warmUp} of warm-up, sampled every ${interval} bytes; collections in the second window: ` +
    `${[...gcs].map(([kind, c]) => `kind ${kind}: ${c}`).join(', ') || 'none'}`,
)
console.log(
  `bytes per rotation: allocated ${per(all.total).trim()}, outlived a scavenge ${per(a.total).trim()}, still alive at the end ${per(b.total).trim()}`,
)
const table = (title, key) => {
  console.log(`\n${title} (bytes per rotation: allocated, outlived a scavenge, still alive at the end; outlived / allocated):`)
  for (const [name, bytes] of [...a[key]].sort((x, y) => y[1] - x[1]).slice(0, Number(rows))) {
    const total = all[key].get(name) ?? 0
    const share = total > 0 ? `${((100 * bytes) / total).toFixed(0).padStart(4)} %` : '     '
    console.log(`${per(total)} ${per(bytes)} ${per(b[key].get(name) ?? 0)} ${share}  ${name}`)
  }
}
table('by the innermost function of the server on the stack', 'byServer')
table('by allocating function (self)', 'self')
process.exit(0)
