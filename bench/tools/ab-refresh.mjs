// Before/after in the same run for refresh-token rotation and token exchange (issue 17 target 4):
// two builds of the server (two dist folders, e.g. a copy of packages/server/dist taken before a
// change, and the new one), each on its own database, loaded in turn: token
// exchange by autocannon (50 connections, in a child process) and refresh rotation by 20 chains
// (bench/lib/refresh-chains.mjs, a child process; each request presents the token the previous
// one returned), as bench/suites/issuance.mjs measures them. Each build runs in a process of its
// own (bench/tools/ab-refresh-server.mjs): two servers in one process were measured unequal in an
// A/A run (the second started ran at about 0.6 of the first). Each server's first window of each
// case is run unmeasured first (lib/warm-up.mjs). Besides the rates, the CPU time of
// the server's process per request: on a shared machine it moves less than the rates do.
// Usage: node bench/tools/ab-refresh.mjs <dist-before> <dist-after> [rounds] [seconds] [sqlite|postgres]
import { execFile } from 'node:child_process'
import { loadavg } from 'node:os'
import { promisify } from 'node:util'
import { processCpu } from '../lib/backend-cpu.mjs'
import { startChild } from '../lib/child-server.mjs'
import { exchange, exchangeBody, form } from '../lib/harness.mjs'
import { startLoader } from '../lib/loader.mjs'
import { spread } from '../lib/stats.mjs'
import { warmUp } from '../lib/warm-up.mjs'

const [before, after, rounds = '5', seconds = '4', database = 'sqlite'] = process.argv.slice(2)
const RESOURCE = 'https://api.example.com'
const CHAINS = 20

/** The server's CPU time so far (µs): user + system of its process, from /proc (Linux). */
const cpuOf = (pid) => processCpu(pid) * 1_000_000

// AB_SYNC_MS=3: SQLite on tmpfs, each WAL sync a fixed 3 ms (ab-refresh-server.mjs): the queueing
// of the group commit without the shared disk's noise. Say so when quoting such a run.
const syncMs = process.env.AB_SYNC_MS === undefined ? undefined : Number(process.env.AB_SYNC_MS)
// AB_FILL=<n>: each server first stores n refresh tokens and n access tokens under random ids
// (bench/lib/token-fill.mjs), so that the rotations meet tables of a size a server in use has.
const fill = Number(process.env.AB_FILL ?? 0)
const start = (dist, name) =>
  startChild(
    new URL('./ab-refresh-server.mjs', import.meta.url).pathname,
    { dist, database, name, syncMs, fill },
    syncMs === undefined ? {} : { env: { TMPDIR: '/dev/shm' } },
  )

const servers = { before: await start(before, 'before'), after: await start(after, 'after') }
const loader = startLoader({ duration: Number(seconds), connections: 50 })

const cases = {
  exchange: async ({ address, authorization, sessionToken }, s = Number(seconds)) => {
    const result = await loader.run(`${address}/oauth/token`, {
      method: 'POST',
      headers: { ...form, authorization },
      body: exchangeBody(sessionToken, RESOURCE),
      seconds: s,
    })
    return { rate: result.rate, p50: result.p50, requests: result.rate * s }
  },
  refresh: async ({ address, authorization, sessionToken }, s = Number(seconds)) => {
    const starts = []
    for (let i = 0; i < CHAINS; i++) starts.push((await exchange(address, authorization, sessionToken, RESOURCE)).refresh_token)
    const { stdout } = await promisify(execFile)(process.execPath, [
      new URL('../lib/refresh-chains.mjs', import.meta.url).pathname,
      JSON.stringify({ url: `${address}/oauth/token`, authorization, tokens: starts, seconds: s }),
    ])
    const result = JSON.parse(stdout)
    return { rate: result.rps, p50: result.p50, requests: result.rps * s }
  },
}
// Each server's first load window of each case is not counted (lib/warm-up.mjs: it made the process
// started first look slower in A/A runs of the A/B tools).
await warmUp(Object.values(servers).flatMap((server) => Object.values(cases).map((run) => (s) => run(server, s))))

const rates = Object.fromEntries(Object.keys(cases).map((name) => [name, { before: [], after: [] }]))
const cpu = Object.fromEntries(Object.keys(cases).map((name) => [name, { before: [], after: [] }]))
const loads = []
for (let round = 0; round < Number(rounds); round++) {
  loads.push(loadavg()[0])
  for (const [name, run] of Object.entries(cases)) {
    // Alternate which build goes first, so that neither always follows the other's load.
    for (const build of round % 2 ? ['after', 'before'] : ['before', 'after']) {
      const started = cpuOf(servers[build].pid)
      const result = await run(servers[build])
      const perRequest = (cpuOf(servers[build].pid) - started) / result.requests
      rates[name][build].push(result.rate)
      cpu[name][build].push(perRequest)
      console.log(
        `round ${round + 1} ${name} ${build}: ${Math.round(result.rate)} req/s, p50 ${result.p50} ms, ${Math.round(perRequest)} µs CPU/request`,
      )
    }
  }
}
const range = (s, digits = 0) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
console.log(
  `${database}, ${rounds} rounds of ${seconds} s, load average ${range(spread(loads), 1)}` +
    (syncMs === undefined ? '' : `, on tmpfs with each WAL sync a fixed ${syncMs} ms`) +
    (fill > 0 ? `, ${fill} rows in each token table first` : ''),
)
for (const [name, { before: b, after: a }] of Object.entries(rates)) {
  const ratio = spread(a.map((rate, i) => rate / b[i]))
  console.log(`${name}: before ${range(spread(b))} req/s, after ${range(spread(a))} req/s, after / before ${range(ratio, 2)}`)
  const [cb, ca] = [cpu[name].before, cpu[name].after]
  const cpuRatio = spread(ca.map((value, i) => value / cb[i]))
  console.log(`  CPU per request: before ${range(spread(cb))} µs, after ${range(spread(ca))} µs, after / before ${range(cpuRatio, 2)}`)
}
loader.close()
for (const server of Object.values(servers)) await server.close()
process.exit(0)
