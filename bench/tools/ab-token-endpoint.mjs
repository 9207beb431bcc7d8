// Before/after in the same run: two builds of the server (two dist folders, e.g. a copy of
// packages/server/dist taken before a change, and the new one), each in a process of its own on
// its own database (bench/tools/ab-token-server.mjs), loaded in turn by autocannon.
// Usage: node bench/tools/ab-token-endpoint.mjs <dist-before> <dist-after> [rounds] [seconds] [case] [sqlite|postgres]
//   case `client_credentials` (the default): POST /oauth/token by an m2m client;
//   case `introspect`: POST /oauth/introspect of an opaque session-mode access token by its
//   resource server (issue 17 target 3), with GET /v1/session of the same session for the ratio;
//   case `introspect-jwt`: the same with a JWT access token (an API in `jwt` mode).
// CPU per request is printed for each build's server process (/proc) and, on PostgreSQL, for the
// build's own backends (bench/lib/backend-cpu.mjs). One process per build, as in
// ab-session-check.mjs: two servers in one process share its heap, its GC and its promise hooks,
// so a change to either would be measured on both.
// Order: which build is loaded first alternates from round to round, and which build's process
// is started first alternates too: both are started again, in the other order, for the second
// half of the rounds (give an even number). The process started second was measured faster in
// CPU per request with either build in that place (docs/architecture.md §12, "Where introspection's
// extra CPU goes"): that was each server's first load window (§9, "A server's first load window is
// not its cost"), which is now run unmeasured after every start (lib/warm-up.mjs); each half's
// ratios are still printed, so a bias would show.
import { loadavg } from 'node:os'
import { backendCpu, mainThreadCpu, processCpu } from '../lib/backend-cpu.mjs'
import { startChild } from '../lib/child-server.mjs'
import { startLoader } from '../lib/loader.mjs'
import { spread } from '../lib/stats.mjs'
import { warmUp } from '../lib/warm-up.mjs'

const [before, after, rounds = '5', seconds = '4', which = 'client_credentials', database = 'sqlite'] = process.argv.slice(2)

const start = (dist) => startChild(new URL('./ab-token-server.mjs', import.meta.url).pathname, { dist, database, which })
const dists = { before, after }
const loader = startLoader({ duration: Number(seconds), connections: 50 })
/**
 * Both builds' servers, started one after the other in `order`, then each loaded once with every
 * case, unmeasured: a server's first load window costs far more than its later ones, the more so
 * the longer it idled, which made the process started first look slower (lib/warm-up.mjs).
 */
async function startBoth(order) {
  const started = {}
  for (const name of order) started[name] = await start(dists[name])
  await warmUp(
    order.flatMap((name) =>
      Object.values(started[name].requests).map(
        ([path, options]) =>
          (s) =>
            loader.run(`${started[name].address}${path}`, { ...options, seconds: s }),
      ),
    ),
  )
  return started
}

let servers = await startBoth(['before', 'after'])
const half = Math.ceil(Number(rounds) / 2)
const loads = []
const kinds = Object.keys(servers.before.requests)
const rates = Object.fromEntries(kinds.map((kind) => [kind, { before: [], after: [] }]))
const cpus = Object.fromEntries(kinds.map((kind) => [kind, { before: [], after: [] }]))
const pgCpus = Object.fromEntries(kinds.map((kind) => [kind, { before: [], after: [] }]))
const mainCpus = Object.fromEntries(kinds.map((kind) => [kind, { before: [], after: [] }]))
const backends = async (name) => (database === 'postgres' ? backendCpu(servers[name].schema) : 0)
for (let round = 0; round < Number(rounds); round++) {
  if (round === half) {
    for (const server of Object.values(servers)) await server.close()
    servers = await startBoth(['after', 'before'])
    console.log('both servers started again, the "after" build first')
  }
  loads.push(loadavg()[0])
  // Alternate which build goes first, so that neither always follows the other's load.
  for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
    for (const kind of kinds) {
      const [path, options] = servers[name].requests[kind]
      // The server's CPU time per request (its own process) holds still on a busy machine, unlike req/s.
      const cpu = processCpu(servers[name].pid)
      const main = mainThreadCpu(servers[name].pid)
      const backendsBefore = await backends(name)
      const result = await loader.run(`${servers[name].address}${path}`, options)
      const micros = ((processCpu(servers[name].pid) - cpu) * 1e6) / result.total
      const mainMicros = ((mainThreadCpu(servers[name].pid) - main) * 1e6) / result.total
      const pgMicros = (((await backends(name)) - backendsBefore) * 1e6) / result.total
      rates[kind][name].push(result.rate)
      cpus[kind][name].push(micros)
      pgCpus[kind][name].push(pgMicros)
      mainCpus[kind][name].push(mainMicros)
      console.log(
        `round ${round + 1} ${name} ${kind}: ${Math.round(result.rate)} req/s, p50 ${result.p50} ms, ${micros.toFixed(0)} µs CPU/request (main thread ${mainMicros.toFixed(0)})` +
          (database === 'postgres' ? `, PostgreSQL backends ${pgMicros.toFixed(0)} µs` : ''),
      )
    }
  }
}
console.log(
  `${database}, ${rounds} rounds of ${seconds} s, load average ${spread(loads).median.toFixed(1)} (${spread(loads).min.toFixed(1)}–${spread(loads).max.toFixed(1)})`,
)
const show = (s) => `${s.median.toFixed(2)} (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)})`
for (const kind of kinds) {
  const { before: b, after: a } = rates[kind]
  console.log(
    `${kind} on ${database}: before ${Math.round(spread(b).median)} req/s, after ${Math.round(spread(a).median)} req/s; ` +
      `after / before ${show(spread(a.map((rate, i) => rate / b[i])))} over ${rounds} rounds`,
  )
  const { before: cb, after: ca } = cpus[kind]
  const cpuGains = ca.map((micros, i) => cb[i] / micros)
  console.log(
    `${kind} on ${database}: CPU per request before ${spread(cb).median.toFixed(0)} µs, after ${spread(ca).median.toFixed(0)} µs; ` +
      `before / after ${show(spread(cpuGains))}`,
  )
  if (half < cpuGains.length) {
    console.log(
      `${kind} on ${database}: CPU per request before / after, "before" started first ${show(spread(cpuGains.slice(0, half)))}; ` +
        `"after" started first ${show(spread(cpuGains.slice(half)))}`,
    )
  }
  const { before: mb, after: ma } = mainCpus[kind]
  console.log(
    `${kind} on ${database}: main-thread CPU per request before ${spread(mb).median.toFixed(0)} µs, after ${spread(ma).median.toFixed(0)} µs; ` +
      `before / after ${show(spread(ma.map((micros, i) => mb[i] / micros)))}`,
  )
  if (database === 'postgres') {
    const { before: pb, after: pa } = pgCpus[kind]
    console.log(`${kind} on ${database}: PostgreSQL backend CPU per request before ${show(spread(pb))} µs, after ${show(spread(pa))} µs`)
  }
}
if (rates.session) {
  for (const name of ['before', 'after']) {
    const ratio = spread(rates.introspect[name].map((rate, i) => rate / rates.session[name][i]))
    const byCpu = spread(cpus.introspect[name].map((micros, i) => cpus.session[name][i] / micros))
    console.log(`introspect / session check, ${name}: by req/s ${show(ratio)}, by CPU per request ${show(byCpu)}`)
    if (database === 'postgres') {
      const total = (kind, i) => cpus[kind][name][i] + pgCpus[kind][name][i]
      const byTotal = spread(cpus.introspect[name].map((_, i) => total('session', i) / total('introspect', i)))
      console.log(`introspect / session check, ${name}: by CPU per request of server and PostgreSQL together ${show(byTotal)}`)
    }
  }
}
loader.close()
for (const server of Object.values(servers)) await server.close()
process.exit(0)
