// Before/after in the same run for refresh-token rotation and token exchange (issue 17 target 4):
// two builds of the server (two dist folders, e.g. a copy of packages/server/dist taken before a
// change, and the new one), each on its own database and in a process of its own, loaded in turn
// as bench/suites/issuance.mjs loads them (lib/issuance-ab.mjs: token exchange by autocannon, 50
// connections; refresh rotation by 20 chains; each server warmed up first; the order of the builds
// reversed every other round), with the CPU time of each server's process per request beside the
// rates: on a shared machine it moves less than the rates do. The issuance suite runs the same
// rounds with the build issue 17 was filed with as "before" (lib/filed-build.mjs).
// Usage: node bench/tools/ab-refresh.mjs <dist-before> <dist-after> [rounds] [seconds] [sqlite|postgres]

import { issuanceCases, rotateBuilds, startIssuanceServer } from '../lib/issuance-ab.mjs'
import { startLoader } from '../lib/loader.mjs'
import { spread } from '../lib/stats.mjs'

const [before, after, rounds = '5', seconds = '4', database = 'sqlite'] = process.argv.slice(2)

// AB_SYNC_MS=3: SQLite on tmpfs, each WAL sync a fixed 3 ms (lib/issuance-server.mjs): the queueing
// of the group commit without the shared disk's noise. Say so when quoting such a run.
const syncMs = process.env.AB_SYNC_MS === undefined ? undefined : Number(process.env.AB_SYNC_MS)
// AB_FILL=<n>: each server first stores n refresh tokens and n access tokens under random ids
// (bench/lib/token-fill.mjs), so that the rotations meet tables of a size a server in use has.
const fill = Number(process.env.AB_FILL ?? 0)
const start = (dist, name) => startIssuanceServer({ dist, database, name, syncMs, fill })

const servers = { before: await start(before, 'before'), after: await start(after, 'after') }
const loader = startLoader({ duration: Number(seconds), connections: 50 })
const { samples, loads } = await rotateBuilds({
  servers,
  cases: issuanceCases(loader),
  rounds: Number(rounds),
  seconds: Number(seconds),
  log: (round, name, build, { rate, p50, cpuUs }) =>
    console.log(`round ${round + 1} ${name} ${build}: ${Math.round(rate)} req/s, p50 ${p50} ms, ${Math.round(cpuUs)} µs CPU/request`),
})
const range = (s, digits = 0) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
console.log(
  `${database}, ${rounds} rounds of ${seconds} s, load average ${range(spread(loads), 1)}` +
    (syncMs === undefined ? '' : `, on tmpfs with each WAL sync a fixed ${syncMs} ms`) +
    (fill > 0 ? `, ${fill} rows in each token table first` : ''),
)
for (const [name, { before: sb, after: sa }] of Object.entries(samples)) {
  const [b, a] = [sb.map((s) => s.rate), sa.map((s) => s.rate)]
  const ratio = spread(a.map((rate, i) => rate / b[i]))
  console.log(`${name}: before ${range(spread(b))} req/s, after ${range(spread(a))} req/s, after / before ${range(ratio, 2)}`)
  const [cb, ca] = [sb.map((s) => s.cpuUs), sa.map((s) => s.cpuUs)]
  const cpuRatio = spread(ca.map((value, i) => value / cb[i]))
  console.log(`  CPU per request: before ${range(spread(cb))} µs, after ${range(spread(ca))} µs, after / before ${range(cpuRatio, 2)}`)
}
loader.close()
for (const server of Object.values(servers)) await server.close()
process.exit(0)
