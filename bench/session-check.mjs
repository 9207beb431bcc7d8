// Foundation benchmark: sign-in latency (argon2id-bound) and GET /v1/session throughput on
// SQLite, each next to a baseline measured in the same run. Run with `npm run bench`.

import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { createTessera, loadConfig } from 'tessera'

const DURATION = Number(process.env.BENCH_DURATION ?? 5)
const SIGN_INS = Number(process.env.BENCH_SIGN_INS ?? 60)
const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'))
const config = loadConfig({
  env: {},
  overrides: {
    databaseUrl: `sqlite:${join(dir, 'tessera.db')}`,
    logLevel: 'silent',
    port: 0,
    issuer: 'http://localhost:4000',
    rateLimit: { credentialRequestsPerIp: 1_000_000 },
  },
})
const tessera = await createTessera(config)
const app = await tessera.app()
const address = await app.listen({ port: 0, host: '127.0.0.1' })
const password = 'correct horse battery staple'
const json = { 'content-type': 'application/json' }

await fetch(`${address}/v1/sign-up`, { method: 'POST', headers: json, body: JSON.stringify({ email: 'bench@example.com', password }) })

// Sign-in latency, one at a time, with the event-loop delay while hashing.
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

// The load generator runs in its own process so it does not share the server's event loop.
const autocannonBin = new URL('../node_modules/autocannon/autocannon.js', import.meta.url).pathname
const run = async (path, headers = {}) => {
  const args = [autocannonBin, '--json', '-c', '50', '-d', String(DURATION)]
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`)
  const { stdout } = await promisify(execFile)(process.execPath, [...args, `${address}${path}`], { maxBuffer: 1 << 24 })
  const result = JSON.parse(stdout)
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  return result
}
const baseline = await run('/healthz')
const session = await run('/v1/session', { authorization: `Bearer ${token}` })

const row = (name, r) =>
  `| ${name} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${(r.requests.average / baseline.requests.average).toFixed(2)} |`
console.log(`\nTessera foundation benchmark, ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores`)
console.log(
  `\nSign-in (argon2id m=${config.argon2.memoryCost} t=${config.argon2.timeCost} p=${config.argon2.parallelism}), ${SIGN_INS} sequential:`,
)
console.log(
  `  p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1).toFixed(1)} ms; event-loop delay p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`,
)
console.log(`\nThroughput over HTTP, 50 connections, ${DURATION} s each (same process, same run):\n`)
console.log('| Route | req/s | p50 ms | p99 ms | ratio to baseline |\n| --- | --- | --- | --- | --- |')
console.log(row('GET /healthz (baseline, no auth)', baseline))
console.log(row('GET /v1/session (SQLite session check)', session))

await tessera.close()
rmSync(dir, { recursive: true, force: true })
