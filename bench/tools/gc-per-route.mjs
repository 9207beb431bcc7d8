// Bytes allocated on V8's heap and scavenges per request, for GET /v1/session and POST
// /oauth/introspect of one Tessera over real sockets (issue 17 target 3, angle "allocation and GC";
// docs/architecture.md §9, "Introspection against the session check, by instructions over
// sockets"). Runs bench/tools/pipeline-pieces-server.mjs 'tessera,world' (no background tasks, the
// config cache on) under --trace-gc, loads each route in turn with autocannon (50 connections,
// another process), and reads the collections of each counted window from the trace: bytes
// allocated = the heap's size before each scavenge minus its size after the previous collection.
//   node bench/tools/gc-per-route.mjs [rounds, 3] [requests per window, 20000] [dist]
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { sendCount } from '../lib/autocannon-count.mjs'

const [rounds = '3', count = '20000', dist] = process.argv.slice(2)
const server = fork(fileURLToPath(new URL('./pipeline-pieces-server.mjs', import.meta.url)), ['tessera,world', ...(dist ? [dist] : [])], {
  execArgv: ['--trace-gc'],
  stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
})
let trace = ''
server.stdout.on('data', (chunk) => {
  trace += chunk
})
const { port, requests } = await new Promise((resolve) => server.once('message', resolve))

async function load(route, amount) {
  const [path, request] = requests[route]
  return (await sendCount(`http://127.0.0.1:${port}${path}`, request, amount)).requests.total
}

/** Collections in a stretch of --trace-gc output: kind, heap MB before and after. */
const collections = (text) =>
  [...text.matchAll(/(Scavenge|Mark-Compact|Mark-sweep)[^\d]*([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/g)].map((m) => ({
    kind: m[1],
    before: Number(m[2]),
    after: Number(m[3]),
  }))

for (const route of ['session', 'introspect']) await load(route, 10_000)
for (let round = 0; round < Number(rounds); round++) {
  for (const route of ['session', 'introspect']) {
    // The heap's size after the last collection before the window is where its allocation starts.
    const start = collections(trace).at(-1)
    const from = trace.length
    const total = await load(route, Number(count))
    const window = collections(trace.slice(from))
    let allocated = 0
    let previous = start?.after ?? 0
    for (const gc of window) {
      allocated += Math.max(0, gc.before - previous)
      previous = gc.after
    }
    const scavenges = window.filter((gc) => gc.kind === 'Scavenge').length
    console.log(
      `round ${round + 1} ${route.padEnd(10)} ${((allocated * 1e6) / total).toFixed(0).padStart(6)} bytes allocated per request (to the window's last collection), ` +
        `${((scavenges * 1000) / total).toFixed(2)} scavenges and ${window.length - scavenges} full collections per 1,000 requests`,
    )
  }
}
server.disconnect()
process.exit(0)
