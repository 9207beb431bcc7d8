// The 1,000-subscriber case of bench/suites/revocation.mjs alone, for profiling and A/B: one
// in-process Tessera on SQLite, `count` hybrid verifiers in child processes of at most
// `perProcess` (lib/revocation-subscribers.mjs), `rounds` times `revocations` sign-outs; prints the
// suite's figures and the server's fan-out time per revocation.
// Usage: [BENCH_PROFILE_DIR=DIR] node bench/tools/profile-revocation-fanout.mjs [count] [revocations] [rounds] [perProcess] [dist]
// dist: the server build to run (an A/B's .ab/<name>/packages/server/dist, bench/tools/ab-snapshot.mjs);
// this checkout's by default. The subscribers run this checkout's SDK either way.
// With BENCH_PROFILE_DIR, this process (the server) and each subscribers' process write CPU
// profiles of the measured windows there (lib/cpu-profile.mjs).
import { loadavg } from 'node:os'
import { profilePhase } from '../lib/cpu-profile.mjs'
import { startTessera } from '../lib/harness.mjs'
import { FULL } from '../lib/settings.mjs'
import { spread } from '../lib/stats.mjs'
import { deploy, propagation } from '../suites/revocation.mjs'

const [count = '1000', revocations = '20', rounds = '1', perProcess = String(FULL.subscribersPerProcess), dist] = process.argv.slice(2)
const server = await startTessera({ background: true, dist })
const deployment = await deploy(server)
const results = []
for (let round = 0; round < Number(rounds); round++) {
  let stop = Promise.resolve(async () => {})
  const result = await propagation({
    issuer: server.issuer,
    signOutAt: server.address,
    deployment,
    count: Number(count),
    revocations: Number(revocations),
    perProcess: Number(perProcess),
    hub: server.tessera.services.revocationHub,
    onReady: () => {
      stop = profilePhase(process.env.BENCH_PROFILE_DIR, `server-${process.pid}-${round}`)
    },
  })
  await (await stop)()
  results.push(result)
  const r = (v) => v.toFixed(1)
  console.log(
    `round ${round + 1} (${result.processes} processes): p50 ${r(result.p50)} ms, p99 ${r(result.p99)} ms, max ${r(result.max)} ms; ` +
      `server fan-out p50 ${r(result.fanOutP50)} ms, max ${r(result.fanOutMax)} ms, CPU ${r(result.fanOutCpuMs)} ms; ` +
      `verifiers' CPU per revocation ${r(result.verifierCpuMs)} ms (${r((1000 * result.verifierCpuMs) / result.count)} µs per verifier); RSS ${result.rssBefore.toFixed(0)} → ${result.rssOpen.toFixed(0)} MB`,
  )
}
const f = (s) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`
console.log(
  `over ${rounds} round(s): p99 ${f(spread(results.map((r) => r.p99)))} ms; p50 ${f(spread(results.map((r) => r.p50)))} ms; ` +
    `fan-out p50 ${f(spread(results.map((r) => r.fanOutP50)))} ms, CPU ${f(spread(results.map((r) => r.fanOutCpuMs)))} ms; ` +
    `verifiers' CPU ${f(spread(results.map((r) => r.verifierCpuMs)))} ms per revocation; load average ${loadavg()[0].toFixed(1)} at the end`,
)
await server.close()
process.exit(0)
