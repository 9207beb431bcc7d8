// Before/after in the same run for the session check (issue 17 target 2): two builds of the server
// (two dist folders, e.g. a copy of packages/server/dist taken before a change, and the new one),
// each in this process on a database of its own, loaded in turn by autocannon (50 connections, in
// another process) with GET /v1/session (a bearer session token) and GET /healthz. Prints each
// build's session-check rate and its ratio to its own /healthz, round by round, then medians.
// On a shared machine the rates swing with the load; the CPU each check costs does much less, so
// it is printed too: this process's CPU (both servers run here, one loaded at a time) and, on
// PostgreSQL, the CPU of the build's own backends (/proc, found by application_name), per request.
// Usage: node bench/tools/ab-session-check.mjs <dist-before> <dist-after> [sqlite|postgres] [rounds] [seconds]
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { POSTGRES_URL, signUp, startTessera } from '../lib/harness.mjs'
import { startLoader } from '../lib/loader.mjs'
import { spread } from '../lib/stats.mjs'

const [before, after, database = 'sqlite', rounds = '5', seconds = '4'] = process.argv.slice(2)

async function start(dist) {
  // As `tessera start` runs (background: the revocation signals, and the caches they keep fresh).
  const server = await startTessera({ dist, database, background: true })
  const token = await signUp(server.address)
  return { ...server, authorization: `Bearer ${token}` }
}

/** CPU seconds (user + system) of the PostgreSQL backends serving one build, from /proc. */
async function backendCpu(applicationName) {
  if (database !== 'postgres') return 0
  const client = new pg.Client({ connectionString: POSTGRES_URL })
  await client.connect()
  const { rows } = await client.query('select pid from pg_stat_activity where application_name = $1', [applicationName])
  await client.end()
  let ticks = 0
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // a backend that ended in between
    }
  }
  return ticks / 100
}

const servers = { before: await start(before), after: await start(after) }
const loader = startLoader({ duration: Number(seconds), connections: 50 })
const rates = { before: [], after: [] }
const ratios = { before: [], after: [] }
const nodeCpu = { before: [], after: [] }
const pgCpu = { before: [], after: [] }
for (let round = 0; round < Number(rounds); round++) {
  // Alternate which build goes first: the first of a pair was measured faster in an A/A run.
  for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
    const { address, authorization } = servers[name]
    const cpuBefore = process.cpuUsage()
    const backendsBefore = await backendCpu(servers[name].schema)
    const session = await loader.run(`${address}/v1/session`, { headers: { authorization } })
    const cpu = process.cpuUsage(cpuBefore)
    const backends = (await backendCpu(servers[name].schema)) - backendsBefore
    nodeCpu[name].push((cpu.user + cpu.system) / session.total)
    pgCpu[name].push((backends * 1e6) / session.total)
    const health = await loader.run(`${address}/healthz`)
    rates[name].push(session.rate)
    ratios[name].push(session.rate / health.rate)
    console.log(
      `round ${round + 1} ${name}: session ${Math.round(session.rate)} req/s (p50 ${session.p50} ms), /healthz ${Math.round(health.rate)}, ratio ${(session.rate / health.rate).toFixed(3)}, ` +
        `CPU per check: server ${nodeCpu[name].at(-1).toFixed(1)} µs, PostgreSQL backends ${pgCpu[name].at(-1).toFixed(1)} µs`,
    )
  }
}
const show = (s, digits = 0) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`
for (const name of ['before', 'after']) {
  console.log(`${name}: session ${show(spread(rates[name]))} req/s, session / healthz ${show(spread(ratios[name]), 3)}`)
  console.log(`  CPU per check: server ${show(spread(nodeCpu[name]), 1)} µs, PostgreSQL backends ${show(spread(pgCpu[name]), 1)} µs`)
}
const gain = spread(rates.after.map((rate, i) => rate / rates.before[i]))
console.log(`after / before (session rate): median ${show(gain, 2)} over ${rounds} rounds on ${database}`)
loader.close()
for (const server of Object.values(servers)) await server.close()
process.exit(0)
