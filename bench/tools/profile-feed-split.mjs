// Splits the CPU profiles of revocation-subscriber processes (lib/revocation-subscribers.mjs,
// written by `BENCH_PROFILE_DIR=DIR node bench/tools/profile-revocation-fanout.mjs 250 20 1 250`)
// into the layers a feed event passes through, summed over every profile named subscribers-*:
// socket read (node:net, stream_base), undici (HTTP parser, fetch body), web streams (the
// ReadableStream, its controller and reader), TextDecoder, the SDK's SSE parser, the SDK's event
// handling (feed event, entry, revocation set, feed loop), the bench's tap and checks (its file and
// the verifier calls it makes), GC, and the rest. Each sample goes to the first frame from the leaf
// up that belongs to a layer, so promise and microtask plumbing counts for the layer that queued it.
// The profiler's own start (inspector `post`) is left out. Kernel time is not in a CPU profile
// (use perf for it). `events` (default 20) and `verifiers` (250) turn the totals into µs per verifier
// and event. Usage: node bench/tools/profile-feed-split.mjs DIR [events] [verifiers]
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const [dir, events = '20', verifiers = '250'] = process.argv.slice(2)
const layers = [
  [
    'bench tap and checks',
    (f) => f.url.includes('bench/lib/revocation-subscribers') || /sdk\/dist\/(verifier|cache|jwks|tokens|errors)\//.test(f.url),
  ],
  ['SDK SSE parser', (f) => f.url.includes('revocation/sse-parser')],
  ['SDK event + set + loop', (f) => /sdk\/dist\/revocation\//.test(f.url)],
  ['TextDecoder', (f) => (f.functionName === 'decode' && f.url === '') || f.url.includes('internal/encoding')],
  ['web streams', (f) => f.url.includes('internal/webstreams')],
  ['undici', (f) => f.url.includes('deps/undici')],
  ['socket read', (f) => /node:(net|internal\/stream_base_commons|internal\/streams)/.test(f.url)],
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)'],
]
const totals = new Map(layers.map(([name]) => [name, 0]))
totals.set('other', 0)
const other = new Map()
const leaves = new Map()
let all = 0
for (const file of readdirSync(dir).filter((name) => name.startsWith('subscribers-'))) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'))
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0
    const frames = []
    for (let at = id; at !== undefined; at = parent.get(at)) frames.push(byId.get(at).callFrame)
    if (frames.some((f) => f.url === 'node:inspector')) return
    all += delta
    for (const frame of frames) {
      const layer = layers.find(([, match]) => match(frame))
      if (layer) {
        totals.set(layer[0], totals.get(layer[0]) + delta)
        const key = `${layer[0]}: ${frames[0].functionName || '(anonymous)'} ${frames[0].url.replace(/^.*\//, '')}:${frames[0].lineNumber + 1}`
        leaves.set(key, (leaves.get(key) ?? 0) + delta)
        return
      }
    }
    totals.set('other', totals.get('other') + delta)
    const key = `${frames[0].functionName || '(anonymous)'} ${frames[0].url}:${frames[0].lineNumber + 1}`
    other.set(key, (other.get(key) ?? 0) + delta)
  })
}
const per = (us) => (us / Number(events) / Number(verifiers)).toFixed(1)
console.log(`${(all / 1000).toFixed(1)} ms sampled over ${events} events x ${verifiers} verifiers: ${per(all)} µs per verifier and event`)
for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1])) {
  console.log(`${per(us).padStart(7)} µs  ${((100 * us) / all).toFixed(1).padStart(5)}%  ${name}`)
}
console.log('\nlargest "other" frames:')
for (const [key, us] of [...other].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${per(us).padStart(7)} µs  ${key}`)

if (process.env.SPLIT_LEAVES) {
  console.log('\nlargest leaves per layer:')
  for (const [key, us] of [...leaves].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.SPLIT_LEAVES)))
    console.log(`${per(us).padStart(7)} µs  ${key}`)
}
