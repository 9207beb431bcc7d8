// The 1,000-subscriber case of bench/suites/revocation.mjs alone, for profiling and A/B: one
// in-process Tessera on SQLite, `count` hybrid verifiers (lib/revocation-subscribers.mjs), `rounds`
// times `revocations` sign-outs. Besides the suite's figures it prints the server's fan-out time:
// from the hub handing an entry to its first feed stream to the last stream having written it
// (two listeners around the streams' own: the hub calls its listeners in subscription order).
// Usage: [BENCH_PROFILE_DIR=DIR] node bench/tools/profile-revocation-fanout.mjs [count] [revocations] [rounds]
// With BENCH_PROFILE_DIR, both this process (the server) and the subscribers' write a CPU profile
// of the measured phase there (lib/cpu-profile.mjs).
import { profilePhase } from '../lib/cpu-profile.mjs'
import { startTessera } from '../lib/harness.mjs'
import { spread } from '../lib/stats.mjs'
import { deploy, propagation } from '../suites/revocation.mjs'

const [count = '1000', revocations = '20', rounds = '1'] = process.argv.slice(2)
const server = await startTessera({ background: true })
const deployment = await deploy(server)
const hub = server.tessera.services.revocationHub
let startedAt = 0
const fanOut = []
hub.subscribe(() => {
  startedAt = performance.now()
})
const results = []
for (let round = 0; round < Number(rounds); round++) {
  let last = null
  let stop = Promise.resolve(async () => {})
  const run = propagation({
    issuer: server.issuer,
    signOutAt: server.address,
    deployment,
    count: Number(count),
    revocations: Number(revocations),
    // Subscribed once the verifiers are: after every stream's listener.
    onReady: () => {
      last = hub.subscribe(() => fanOut.push(performance.now() - startedAt))
      stop = profilePhase(process.env.BENCH_PROFILE_DIR, `server-${process.pid}-${round}`)
    },
  })
  results.push(await run)
  await (await stop)()
  last?.()
  const r = results.at(-1)
  console.log(
    `round ${round + 1}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, RSS ${r.rssBefore.toFixed(0)} → ${r.rssOpen.toFixed(0)} MB`,
  )
}
const f = (s) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`
console.log(`p99 over rounds: ${f(spread(results.map((r) => r.p99)))} ms; p50 ${f(spread(results.map((r) => r.p50)))} ms`)
console.log(`server fan-out per revocation to ${count} streams: median ${f(spread(fanOut))} ms over ${fanOut.length}`)
await server.close()
process.exit(0)
