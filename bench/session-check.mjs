// Foundation benchmark: sign-in latency (argon2id-bound, with the event-loop delay while hashing)
// and GET /v1/session throughput on SQLite, next to a bare route measured in the same run.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { header, json, load, startTessera, table } from './lib/harness.mjs'

const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 60)
const server = await startTessera()
const { address, config } = server
const password = 'correct horse battery staple'
await fetch(`${address}/v1/sign-up`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'bench@example.com', password }) })

const latencies = []
const loop = monitorEventLoopDelay({ resolution: 1 })
loop.enable()
let token
for (let i = 0; i < SIGN_INS; i++) {
  const started = performance.now()
  const response = await fetch(`${address}/v1/sign-in`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email: 'bench@example.com', password, transport: 'bearer' }),
  })
  const body = await response.json()
  latencies.push(performance.now() - started)
  if (response.status !== 200) throw new Error(`sign-in failed: ${response.status}`)
  token = body.session.token
}
loop.disable()
latencies.sort((a, b) => a - b)
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1)

const baseline = await load(`${address}/healthz`)
const session = await load(`${address}/v1/session`, { headers: { authorization: `Bearer ${token}` } })

header('Tessera sessions benchmark')
const { memoryCost, timeCost, parallelism } = config.argon2
console.log(`\nSign-in (argon2id m=${memoryCost} t=${timeCost} p=${parallelism}), ${SIGN_INS} sequential:`)
console.log(
  `  p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1).toFixed(1)} ms; event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`,
)
table(
  [
    ['GET /healthz (baseline, no auth)', baseline],
    ['GET /v1/session (SQLite session check)', session],
  ],
  baseline,
)
await server.close()
