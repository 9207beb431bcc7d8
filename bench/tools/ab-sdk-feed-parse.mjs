// Before/after for the SDK's handling of feed bytes: SSE parsing, the event's JSON and the
// revocation set, per CPU-second, for two builds of @tessera/sdk (two dist folders), interleaved.
// Two shapes: live revocation events (one per chunk, as a feed delivers them) and one snapshot of
// 20,000 entries arriving in 16 KiB chunks (a connection or reconnection).
// Usage: node bench/tools/ab-sdk-feed-parse.mjs <sdk-dist-before> <sdk-dist-after> [rounds]
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { spread } from '../lib/stats.mjs'

const [before, after, rounds = '7'] = process.argv.slice(2)
const load = async (dist, file) => import(pathToFileURL(resolve(dist, 'revocation', file)).href)

async function build(dist) {
  const { createSseParser } = await load(dist, 'sse-parser.js')
  const { readFeedEvent } = await load(dist, 'feed-event.js')
  const { createRevocationSet } = await load(dist, 'revocation-set.js')
  return () => {
    const set = createRevocationSet()
    const parser = createSseParser((event) => {
      const read = readFeedEvent(event)
      if (read.type === 'snapshot') set.replace(read.entries)
      else if (read.type === 'revocation' && read.entry) set.apply(read.entry)
    })
    return parser
  }
}

const encoder = new TextEncoder()
const entry = (seq) => ({ seq, kind: 'session', sid: `hghAGIu2bw-Ur789ekCU${seq}`, createdAt: 1795758238000, expiresAt: 1795761838000 })
const live = Array.from({ length: 2000 }, (_, i) =>
  encoder.encode(`event: revocation\nid: ${i + 1}\ndata: ${JSON.stringify(entry(i + 1))}\n\n`),
)
const snapshotText = `event: snapshot\nid: 20000\ndata: ${JSON.stringify({ seq: 20000, serverTime: 0, entries: Array.from({ length: 20000 }, (_, i) => entry(i + 1)) })}\n\n`
const snapshotBytes = encoder.encode(snapshotText)
const snapshot = []
for (let at = 0; at < snapshotBytes.length; at += 16384) snapshot.push(snapshotBytes.subarray(at, at + 16384))

function cpu(fn) {
  const start = process.cpuUsage()
  fn()
  const { user, system } = process.cpuUsage(start)
  return (user + system) / 1e6
}

const makers = { before: await build(before), after: await build(after) }
const rates = { before: { live: [], snapshot: [] }, after: { live: [], snapshot: [] } }
for (let round = 0; round < Number(rounds); round++) {
  for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
    const liveSeconds = cpu(() => {
      for (let pass = 0; pass < 20; pass++) {
        const parser = makers[name]()
        const decoder = new TextDecoder()
        for (const chunk of live) parser.push(decoder.decode(chunk, { stream: true }))
      }
    })
    rates[name].live.push((20 * live.length) / liveSeconds)
    const snapshotSeconds = cpu(() => {
      for (let pass = 0; pass < 3; pass++) {
        const parser = makers[name]()
        const decoder = new TextDecoder()
        for (const chunk of snapshot) parser.push(decoder.decode(chunk, { stream: true }))
      }
    })
    rates[name].snapshot.push(3 / snapshotSeconds)
  }
}
for (const shape of ['live', 'snapshot']) {
  const ratio = spread(rates.after[shape].map((rate, i) => rate / rates.before[shape][i]))
  const unit =
    shape === 'live' ? 'events' : `snapshots of 20,000 entries (${(snapshotBytes.length / 1048576).toFixed(1)} MiB in 16 KiB chunks)`
  console.log(
    `${shape}: ${unit} per CPU-second, before ${spread(rates.before[shape]).median.toFixed(0)}, after ${spread(rates.after[shape]).median.toFixed(0)}; ` +
      `after / before median ${ratio.median.toFixed(2)} (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}) over ${rounds} rounds`,
  )
}
