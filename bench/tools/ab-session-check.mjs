// Before/after in the same run for the session check (issue 17 target 2): two builds of the server
// (two dist folders, e.g. a copy of packages/server/dist taken before a change, and the new one),
// each in a process of its own on a database of its own (bench/tools/ab-session-server.mjs),
// loaded in turn by autocannon (50 connections, in another process) with GET /v1/session (a bearer
// session token; with `sessions` > 1, that many users' tokens in turn, one per request, so the
// checks in flight at once are of different sessions) and GET /healthz. Prints each build's session-check rate and its ratio to its own
// /healthz, round by round, then medians. On a shared machine the rates swing with the load; the
// CPU each check costs does much less, so it is printed too: the server process's CPU per request
// (/proc), for the check and for /healthz, and, on PostgreSQL, the CPU of the build's own backends
// (found by application_name). One process per build: two servers in one process share its
// promise hooks (an AsyncLocalStorage that either build enables slows both) and its heap, so a
// change to either would be measured on both.
// Usage: node bench/tools/ab-session-check.mjs <dist-before> <dist-after> [sqlite|postgres] [rounds] [seconds] [sessions]
// `sessions` may be two counts, before:after (e.g. 1:50 with the same dist twice), to compare one
// token against many on one build. A "before" dist of a git revision: bench/tools/ab-snapshot.mjs.
import { loadavg } from 'node:os'
import { backendCpu, processCpu } from '../lib/backend-cpu.mjs'
import { startChild } from '../lib/child-server.mjs'
import { startLoader } from '../lib/loader.mjs'
import { spread } from '../lib/stats.mjs'
import { warmUp } from '../lib/warm-up.mjs'

const [before, after, database = 'sqlite', rounds = '5', seconds = '4', sessions = '1'] = process.argv.slice(2)

const [beforeSessions, afterSessions = beforeSessions] = sessions.split(':').map(Number)
const start = (dist, count) => startChild(new URL('./ab-session-server.mjs', import.meta.url).pathname, { dist, database, sessions: count })

/** CPU seconds of the PostgreSQL backends serving one build (none on SQLite). */
const backendsCpu = (applicationName) => (database === 'postgres' ? backendCpu(applicationName) : 0)

const servers = { before: await start(before, beforeSessions), after: await start(after, afterSessions) }
const loader = startLoader({ duration: Number(seconds), connections: 50 })
// Each server's first load window is not counted (lib/warm-up.mjs: it made the process started first look slower).
await warmUp(
  Object.values(servers).flatMap(({ address, authorizations }) => [
    (s) => loader.run(`${address}/v1/session`, { headers: { authorization: authorizations[0] }, seconds: s }),
    (s) => loader.run(`${address}/healthz`, { seconds: s }),
  ]),
)
const rates = { before: [], after: [] }
const ratios = { before: [], after: [] }
const nodeCpu = { before: [], after: [] }
const healthCpu = { before: [], after: [] }
const pgCpu = { before: [], after: [] }
const loads = []
for (let round = 0; round < Number(rounds); round++) {
  loads.push(loadavg()[0])
  // Alternate which build goes first, so that neither always follows the other's load.
  for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
    const { address, authorizations, pid, schema } = servers[name]
    const cpuBefore = processCpu(pid)
    const backendsBefore = await backendsCpu(schema)
    const session = await loader.run(
      `${address}/v1/session`,
      authorizations.length > 1 ? { authorizations } : { headers: { authorization: authorizations[0] } },
    )
    const cpu = processCpu(pid) - cpuBefore
    const backends = (await backendsCpu(schema)) - backendsBefore
    nodeCpu[name].push((cpu * 1e6) / session.total)
    pgCpu[name].push((backends * 1e6) / session.total)
    const healthBefore = processCpu(pid)
    const health = await loader.run(`${address}/healthz`)
    healthCpu[name].push(((processCpu(pid) - healthBefore) * 1e6) / health.total)
    rates[name].push(session.rate)
    ratios[name].push(session.rate / health.rate)
    console.log(
      `round ${round + 1} ${name}: session ${Math.round(session.rate)} req/s (p50 ${session.p50} ms), /healthz ${Math.round(health.rate)}, ratio ${(session.rate / health.rate).toFixed(3)}, ` +
        `CPU per request: server ${nodeCpu[name].at(-1).toFixed(1)} µs (/healthz ${healthCpu[name].at(-1).toFixed(1)} µs), PostgreSQL backends ${pgCpu[name].at(-1).toFixed(1)} µs`,
    )
  }
}
const show = (s, digits = 0) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
console.log(
  `${database}, ${beforeSessions}:${afterSessions} session(s), ${rounds} rounds of ${seconds} s, load average ${show(spread(loads), 1)}`,
)
for (const name of ['before', 'after']) {
  console.log(`${name}: session ${show(spread(rates[name]))} req/s, session / healthz ${show(spread(ratios[name]), 3)}`)
  console.log(
    `  CPU per request: check ${show(spread(nodeCpu[name]), 1)} µs, /healthz ${show(spread(healthCpu[name]), 1)} µs, PostgreSQL backends per check ${show(spread(pgCpu[name]), 1)} µs`,
  )
}
const gain = spread(rates.after.map((rate, i) => rate / rates.before[i]))
const cpuGain = spread(nodeCpu.after.map((value, i) => value / nodeCpu.before[i]))
console.log(`after / before on ${database}: session rate ${show(gain, 2)}, server CPU per check ${show(cpuGain, 2)}`)
loader.close()
for (const server of Object.values(servers)) await server.close()
process.exit(0)
