// Where the password-estimate thread's memory goes, and what ending it gives back (issue 17,
// architecture.md §9, "The password estimate"). In one process: /proc/self/smaps before the
// thread, once it has run `--estimates` estimates of 32-character random passwords, after it is
// ended (1 s and `--after` s later), over `--cycles` start/end cycles (is what stays reused by the
// next thread, or does it add up?). Mappings are told apart by address against the first reading:
// the `node` binary, shared libraries, the main thread's malloc heap ([heap]), anonymous mappings
// that were there before (grown or shrunk) and new ones (by reserved size: glibc's 64 MB malloc
// arenas of new threads, V8's 256 KB pages, thread stacks). From inside the thread: V8's heap
// spaces (the built worker runs behind estimate-thread-stats-worker.mjs). The time and CPU
// (process.cpuUsage, every thread) from `new Worker` to `ready`, then of the first estimate.
// --trim: one scavenge inside the thread 7 s after the estimates (what a young-generation trim as
// shared/young-generation-trim.ts's, after its 6 quiet seconds, would give).
//   node bench/tools/estimate-thread-memory.mjs [--dist DIR] [--cycles 3] [--estimates 20] [--after 5] [--trim]
import { randomInt } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'

const { values } = parseArgs({
  options: {
    dist: { type: 'string' },
    cycles: { type: 'string' },
    estimates: { type: 'string' },
    after: { type: 'string' },
    trim: { type: 'boolean' },
    unbundled: { type: 'boolean' },
  },
})
const dist = resolve(values.dist ?? new URL('../../packages/server/dist', import.meta.url).pathname)
const workerFile = values.unbundled ? `${dist}/users/password-estimate-worker.js` : `${dist}/bundle/password-estimate-worker.js`
// Builds before the bounds had a file of their own export them from the pool.
const { ESTIMATE_WORKER_LIMITS } = await import(`${dist}/users/password-estimate-bounds.js`).catch(
  () => import(`${dist}/users/password-estimate-pool.js`),
)
const cycles = Number(values.cycles ?? 3)
const estimates = Number(values.estimates ?? 20)
const afterSeconds = Number(values.after ?? 5)
const MB = (bytes) => Math.round((bytes / 1048576) * 10) / 10
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*-_'
const randomPassword = () => Array.from({ length: 32 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')

function mappings() {
  const list = []
  let current
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (head) {
      current = { start: head[1], size: Number.parseInt(head[2], 16) - Number.parseInt(head[1], 16), name: head[3], rss: 0 }
      list.push(current)
    } else if (line.startsWith('Rss:')) current.rss = Number(line.split(/\s+/)[1]) * 1024
  }
  return list
}

const base = new Map(mappings().map((m) => [m.start, m]))
const kind = (m) =>
  m.name.endsWith('/node')
    ? 'node binary'
    : m.name === '[heap]'
      ? 'main malloc [heap]'
      : m.name.startsWith('/')
        ? 'files (libraries, addons)'
        : m.name === ''
          ? base.has(m.start)
            ? 'anonymous, already there'
            : 'anonymous, new'
          : m.name
const baseRss = [...base.values()].reduce((sum, m) => sum + m.rss, 0)
const baseByKind = new Map()
for (const m of base.values()) baseByKind.set(kind(m), (baseByKind.get(kind(m)) ?? 0) + m.rss)

function reading(phase) {
  const now = mappings()
  const byKind = new Map()
  for (const m of now) byKind.set(kind(m), (byKind.get(kind(m)) ?? 0) + m.rss)
  const total = now.reduce((sum, m) => sum + m.rss, 0)
  const fresh = now.filter((m) => m.name === '' && !base.has(m.start) && m.rss > 0)
  // New anonymous mappings by reserved size: a 64 MB-aligned arena shows as its used part then the
  // rest reserved (---p), so the used part's size varies; V8's pages are 256 KB.
  const bySize = new Map()
  for (const m of fresh) {
    const label = m.size === 262144 ? '256K (V8 pages)' : m.size >= 1048576 ? `${MB(m.size)}M` : `${m.size / 1024}K`
    const entry = bySize.get(label) ?? { count: 0, rss: 0 }
    entry.count++
    entry.rss += m.rss
    bySize.set(label, entry)
  }
  const deltas = [...byKind]
    .map(([k, v]) => [k, v - (baseByKind.get(k) ?? 0)])
    .filter(([, d]) => Math.abs(d) >= 102400)
    .map(([k, d]) => `${k} ${d > 0 ? '+' : ''}${MB(d)}`)
  const largest = [...bySize]
    .sort((a, b) => b[1].rss - a[1].rss)
    .slice(0, 6)
    .map(([label, { count, rss }]) => `${count}×${label} ${MB(rss)}`)
  console.log(`${phase.padEnd(34)} RSS ${MB(total)} MB (${total >= baseRss ? '+' : ''}${MB(total - baseRss)}): ${deltas.join(', ')}`)
  if (largest.length) console.log(`${''.padEnd(34)} new anonymous: ${largest.join(', ')}`)
}

function waitFor(worker, key) {
  return new Promise((resolve, reject) => {
    const on = (message) => {
      if (key in message) {
        worker.off('message', on)
        worker.off('error', reject)
        resolve(message)
      }
    }
    worker.on('message', on)
    worker.once('error', reject)
  })
}

function heapLine(stats) {
  const { spaces, heap, external } = stats
  const space = (name) => `${MB(spaces[name]?.used ?? 0)}/${MB(spaces[name]?.committed ?? 0)}`
  return (
    `heap used/committed ${MB(heap.used_heap_size)}/${MB(heap.total_heap_size)} MB, physical ${MB(heap.total_physical_size)}; ` +
    `new ${space('new_space')}, old ${space('old_space')}, code ${space('code_space')}, large ${space('lo_space')}, ` +
    `malloced ${MB(heap.malloced_memory)} (peak ${MB(heap.peak_malloced_memory)}), external ${MB(external)}`
  )
}

console.log(`worker ${workerFile}, limits ${JSON.stringify(ESTIMATE_WORKER_LIMITS)}`)
reading('before any thread')
for (let cycle = 1; cycle <= cycles; cycle++) {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const worker = new Worker(new URL('./estimate-thread-stats-worker.mjs', import.meta.url), {
    workerData: { workerFile },
    resourceLimits: ESTIMATE_WORKER_LIMITS,
  })
  await waitFor(worker, 'ready')
  const cpu1 = process.cpuUsage(cpu0)
  const t1 = performance.now()
  worker.postMessage({ password: randomPassword(), contextWords: [] })
  await waitFor(worker, 'score')
  const cpu2 = process.cpuUsage(cpu0)
  console.log(
    `cycle ${cycle}: ready after ${Math.round(t1 - t0)} ms (CPU ${Math.round((cpu1.user + cpu1.system) / 1000)} ms), ` +
      `first score after ${Math.round(performance.now() - t0)} ms (CPU ${Math.round((cpu2.user + cpu2.system) / 1000)} ms)`,
  )
  const warm = []
  for (let k = 1; k < estimates; k++) {
    const [cpu, t] = [process.cpuUsage(), performance.now()]
    worker.postMessage({ password: randomPassword(), contextWords: ['bench@example.com', 'bench'] })
    await waitFor(worker, 'score')
    const used = process.cpuUsage(cpu)
    warm.push({ ms: performance.now() - t, cpu: (used.user + used.system) / 1000 })
  }
  if (warm.length) {
    const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]
    console.log(
      `  the next ${warm.length} estimates: median ${Math.round(median(warm.map((w) => w.ms)))} ms, ` +
        `CPU ${Math.round(median(warm.map((w) => w.cpu)))} ms`,
    )
  }
  await pause(1000)
  worker.postMessage({ stats: true })
  console.log(`  thread: ${heapLine((await waitFor(worker, 'stats')).stats)}`)
  reading(`cycle ${cycle}: ${estimates} estimates, +1 s`)
  if (values.trim) {
    await pause(6000)
    worker.postMessage({ stats: true })
    console.log(`  thread: ${heapLine((await waitFor(worker, 'stats')).stats)}`)
    reading(`cycle ${cycle}: quiet 7 s`)
    worker.postMessage({ scavenge: true })
    await waitFor(worker, 'scavenged')
    await pause(1000)
    worker.postMessage({ stats: true })
    console.log(`  thread: ${heapLine((await waitFor(worker, 'stats')).stats)}`)
    reading(`cycle ${cycle}: one scavenge, +1 s`)
  }
  await worker.terminate()
  await pause(1000)
  reading(`cycle ${cycle}: ended, +1 s`)
  await pause((afterSeconds - 1) * 1000)
  reading(`cycle ${cycle}: ended, +${afterSeconds} s`)
}
