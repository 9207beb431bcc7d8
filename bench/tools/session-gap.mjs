// Section 1c of bench/suites/verify-http.mjs round by round, with what the CPU of this process
// (where the Tessera instances run) was spent on in each load window: every thread by name, the
// main thread, GC, context switches, and whether the SQLite read cache's stamp moved.
// Usage: node bench/tools/session-gap.mjs [rounds] [seconds] [cases] [--pg] [--suite] [--pin] [--inject]
//        [--rate=N] [--syscalls] [--perf=case,case]
//   cases (comma-separated, the first is the baseline): healthz, session-sqlite, session-pg,
//   session-sqlite-50, session-pg-50, session-sqlite-x5 (the read cache's stamp taken 5 times per
//   check), introspect-sqlite, introspect-pg, introspect-sqlite-50, introspect-pg-50 (POST
//   /oauth/introspect of the fixture's opaque token, or of 50 in turn, as §1c sends them)
//   (default: healthz,session-sqlite,session-pg)
//   --pg: a PostgreSQL fixture too (needed by the -pg cases); --suite: also the suite's three other
//   SQLite instances (EdDSA, RS256, PS256), so this process holds what the suite's does;
//   --pin: this process on CPU 1, the load generator on CPU 0; --inject: no sockets (below);
//   --rate=N: N requests per second offered; --syscalls: the main thread's system calls per request
//   (perf stat on the syscall tracepoints); --perf=…: record those cases' last window with perf (run
//   with NODE_OPTIONS=--perf-basic-prof-only-functions), call trees and flat profiles side by side.
// Each window also prints, on PostgreSQL, the queries per request the pool ran, by what they read
// (the batched reads, single reads, the config cache's reads, the revocation hub's), and the config
// cache's invalidations (the 1 s poll, NOTIFY) and its misses by introspection.
// docs/architecture.md §9, "Over sockets, CPU per request depends on the traffic's pattern".
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { PerformanceObserver } from 'node:perf_hooks'
import { mainThreadCpu, processCpu } from '../lib/backend-cpu.mjs'
import { basic, form } from '../lib/harness.mjs'
import { startLoader } from '../lib/loader.mjs'
import { flat, printTrees, recordTree } from '../lib/perf-tree.mjs'
import { spread } from '../lib/stats.mjs'
import { fixture } from '../suites/verify-http.mjs'

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'))
const [rounds = '3', seconds = '4', which = 'healthz,session-sqlite,session-pg'] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const perfCases = (flags.find((f) => f.startsWith('--perf='))?.slice('--perf='.length) ?? '').split(',').filter(Boolean)
const names = which.split(',')
// --rate=N: offer N requests per second in every case (autocannon's overallRate), so that each case
// is measured at the same arrival rate, below what saturates this process.
const overallRate = Number(flags.find((f) => f.startsWith('--rate='))?.slice('--rate='.length)) || undefined
const withPg = flags.includes('--pg') || names.some((n) => n.includes('-pg'))

const es = await fixture({ keys: { algorithm: 'ES256' }, background: true }, true)
const others = []
if (flags.includes('--suite'))
  for (const alg of ['EdDSA', 'RS256', 'PS256']) others.push(await fixture({ keys: { algorithm: alg }, background: false }, false))
const pg = withPg ? await fixture({ database: 'postgres', background: true }, true) : null
const cases = {
  healthz: { url: `${es.server.address}/healthz` },
  'session-sqlite': { url: `${es.server.address}/v1/session`, headers: { authorization: `Bearer ${es.sessionToken}` } },
  'session-sqlite-50': { url: `${es.server.address}/v1/session`, authorizations: es.sessionAuthorizations },
  'session-pg': pg && { url: `${pg.server.address}/v1/session`, headers: { authorization: `Bearer ${pg.sessionToken}` } },
  'session-pg-50': pg && { url: `${pg.server.address}/v1/session`, authorizations: pg.sessionAuthorizations },
}
for (const [dialect, f] of [
  ['sqlite', es],
  ['pg', pg],
]) {
  if (!f) continue
  const { id, secret } = f.sessionClient
  const post = { url: `${f.server.address}/oauth/introspect`, method: 'POST', headers: { ...form, authorization: basic(id, secret) } }
  cases[`introspect-${dialect}`] = { ...post, body: `token=${encodeURIComponent(f.opaqueToken)}` }
  cases[`introspect-${dialect}-50`] = { ...post, bodies: f.opaqueTokens.map((token) => `token=${encodeURIComponent(token)}`) }
}
// What reaches PostgreSQL: every query of the pool's clients, by what it reads (Kysely checks a
// client out of the pool for each query outside a transaction, so each is seen at `acquire`).
const queries = new Map()
const kindOf = (text) => `${/= any\(/.test(text) ? 'batch' : 'single'} ${/from "?(\w+)"?/i.exec(text)?.[1] ?? text.slice(0, 20)}`
pg?.server.tessera.database.pool.on('acquire', (client) => {
  if (client.countedQueries) return
  client.countedQueries = true
  const query = client.query.bind(client)
  client.query = (config, ...rest) => {
    const kind = kindOf(typeof config === 'string' ? config : config.text)
    queries.set(kind, (queries.get(kind) ?? 0) + 1)
    return query(config, ...rest)
  }
})
// The config cache's invalidations (the poll, NOTIFY, local commits), on each instance.
let invalidations = 0
for (const f of [es, pg]) {
  const cache = f?.server.tessera.services.configCache
  if (!cache) continue
  const invalidate = cache.invalidate
  cache.invalidate = () => {
    invalidations++
    invalidate()
  }
}
// session-sqlite-x5: the one-token check with the read cache's stamp (one pread of the -shm file)
// taken 5 times instead of once: the difference to session-sqlite / 4 is one stamp's cost in place.
const watch = es.server.tessera.database.changes
const stampOnce = watch.stamp.bind(watch)
let stampTimes = 1
let stampCalls = 0
// Every stamp read is counted (stamps/req): the read caches call `watch.stamp()` on this object.
watch.stamp = () => {
  stampCalls += stampTimes
  for (let i = 1; i < stampTimes; i++) stampOnce()
  return stampOnce()
}
cases['session-sqlite-x5'] = { ...cases['session-sqlite'], times: 5 }
// --inject: no sockets and no load generator: the same requests through Fastify's inject, 50 at a
// time (so PostgreSQL's batched read still reads 50 checks at once), for `seconds`. What is left is
// Tessera's own work per request, the same arrival pattern for every case.
const apps = new Map()
async function inject({ url, method = 'GET', headers, authorizations, body, bodies }) {
  const { origin, pathname } = new URL(url)
  const f = [es, pg].find((each) => each?.server.address === origin)
  if (!apps.has(origin)) apps.set(origin, await f.server.tessera.app())
  const app = apps.get(origin)
  let total = 0
  const started = performance.now()
  const end = started + Number(seconds) * 1000
  while (performance.now() < end) {
    const batch = []
    for (let i = 0; i < 50; i++) {
      const authorization = authorizations ? authorizations[(total + i) % authorizations.length] : headers?.authorization
      const payload = bodies ? bodies[(total + i) % bodies.length] : body
      batch.push(app.inject({ method, url: pathname, headers: { ...headers, ...(authorization ? { authorization } : {}) }, payload }))
    }
    for (const response of await Promise.all(batch)) if (response.statusCode !== 200) throw new Error(`${pathname}: ${response.statusCode}`)
    total += batch.length
  }
  return { total, rate: total / ((performance.now() - started) / 1000) }
}
const loader = startLoader({ duration: Number(seconds), connections: 50 })
// --pin: this process (Tessera) on CPU 1, the load generator on CPU 0.
if (flags.includes('--pin')) {
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' })
  execFileSync('taskset', ['-a', '-p', '-c', '0', String(loader.pid)], { stdio: 'ignore' })
}

/** CPU seconds of each thread of this process, summed by thread name. */
function threads() {
  const out = {}
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      const name = readFileSync(`/proc/${process.pid}/task/${tid}/comm`, 'utf8').trim()
      const key = Number(tid) === process.pid ? 'main' : name
      out[key] = (out[key] ?? 0) + processCpu(`${process.pid}/task/${tid}`)
    } catch {
      // a thread that ended in between
    }
  }
  return out
}
const switches = () => {
  const status = readFileSync(`/proc/${process.pid}/task/${process.pid}/status`, 'utf8')
  const get = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)[1])
  return { voluntary: get('voluntary_ctxt_switches'), involuntary: get('nonvoluntary_ctxt_switches') }
}
let gcMs = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration
}).observe({ entryTypes: ['gc'] })
const stamp = () => stampOnce()

// --syscalls: counts of the main thread's system calls and context switches over each window
// (perf stat on the syscall tracepoints: a count, no per-call cost like strace's).
const SYSCALLS = ['epoll_wait', 'epoll_pwait', 'read', 'writev', 'write', 'pread64', 'futex', 'epoll_ctl']
function countSyscalls(tid) {
  const events = [...SYSCALLS.map((s) => `syscalls:sys_enter_${s}`), 'context-switches']
  const child = spawn('perf', ['stat', '-x', ',', '-e', events.join(','), '-t', String(tid)], { stdio: ['ignore', 'ignore', 'pipe'] })
  let text = ''
  child.stderr.on('data', (chunk) => {
    text += chunk
  })
  return async () => {
    child.kill('SIGINT')
    await new Promise((resolve) => child.on('exit', resolve))
    const counts = {}
    for (const line of text.split('\n')) {
      const [value, , event] = line.split(',')
      if (event) counts[event.replace('syscalls:sys_enter_', '')] = Number(value)
    }
    return counts
  }
}

const table = Object.fromEntries(names.map((name) => [name, []]))
const dir = mkdtempSync(join(tmpdir(), 'session-gap-'))
const trees = {}
for (let round = 0; round < Number(rounds); round++) {
  for (const name of names) {
    const { url, times = 1, ...options } = cases[name]
    stampTimes = times
    const run = () => (flags.includes('--inject') ? inject({ url, ...options }) : loader.run(url, { ...options, overallRate }))
    const t0 = threads()
    const calls0 = stampCalls
    const invalidations0 = invalidations
    queries.clear()
    const [cpu0, main0, gc0, s0, sw0, loader0] = [
      processCpu(process.pid),
      mainThreadCpu(process.pid),
      gcMs,
      stamp(),
      switches(),
      processCpu(loader.pid),
    ]
    const stopCount = flags.includes('--syscalls') ? countSyscalls(process.pid) : null
    if (stopCount) await new Promise((resolve) => setTimeout(resolve, 200))
    let result
    if (round === Number(rounds) - 1 && perfCases.includes(name)) {
      const recorded = await recordTree(process.pid, dir, name, async () => {
        const r = await run()
        return { ...r, requests: r.total }
      })
      result = recorded.result
      trees[name] = recorded.tree
    } else result = await run()
    const t1 = threads()
    const [s1, sw1] = [stamp(), switches()]
    const syscalls = stopCount ? await stopCount() : null
    const per = (seconds) => (seconds * 1e6) / result.total
    const sample = {
      rate: result.rate,
      us: per(processCpu(process.pid) - cpu0),
      mainUs: per(mainThreadCpu(process.pid) - main0),
      gcUs: ((gcMs - gc0) * 1000) / result.total,
      loaderUs: per(processCpu(loader.pid) - loader0),
      byThread: Object.fromEntries(
        Object.keys(t1)
          .map((k) => [k, per(t1[k] - (t0[k] ?? 0))])
          .filter(([, v]) => v > 0.05),
      ),
      writes: s1.writes - s0.writes,
      stampsPerRequest: (stampCalls - calls0) / result.total,
      commits: s1.change - s0.change,
      volPerK: ((sw1.voluntary - sw0.voluntary) * 1000) / result.total,
      involPerK: ((sw1.involuntary - sw0.involuntary) * 1000) / result.total,
      load: loadavg()[0],
      invalidations: invalidations - invalidations0,
      queries: [...queries].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind} ${(n / result.total).toFixed(4)}`),
      syscalls:
        syscalls &&
        Object.fromEntries(
          Object.entries(syscalls)
            .filter(([, v]) => v > 0)
            .map(([k, v]) => [k, v / result.total]),
        ),
    }
    table[name].push(sample)
    const threadText = Object.entries(sample.byThread)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')
    console.log(
      `round ${round + 1} ${name.padEnd(18)} ${String(Math.round(sample.rate)).padStart(6)}/s  ${sample.us.toFixed(1)} µs/req (main ${sample.mainUs.toFixed(1)}, GC ${sample.gcUs.toFixed(1)}; ` +
        `threads: ${threadText}); loader ${sample.loaderUs.toFixed(1)} µs/req; stamps/req ${sample.stampsPerRequest.toFixed(2)}, SQLite writes ${sample.writes}, commits ${sample.commits}; ` +
        `main ctx switches per 1k req: ${sample.volPerK.toFixed(0)} vol, ${sample.involPerK.toFixed(0)} invol; load ${sample.load.toFixed(1)}; ` +
        `config cache invalidations ${sample.invalidations}` +
        (sample.queries.length > 0 ? `; PostgreSQL queries per request: ${sample.queries.join(', ')}` : '') +
        (sample.syscalls
          ? `; per request: ${Object.entries(sample.syscalls)
              .map(([k, v]) => `${k} ${v.toFixed(3)}`)
              .join(', ')}`
          : ''),
    )
  }
}
const show = (s, d = 1) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`
for (const name of names) {
  const rows = table[name]
  const base = table[names[0]]
  console.log(
    `${name}: ${show(spread(rows.map((s) => s.rate)), 0)}/s; µs/req ${show(spread(rows.map((s) => s.us)))}, main ${show(spread(rows.map((s) => s.mainUs)))}; ` +
      `ratio to ${names[0]} by rate ${show(spread(rows.map((s, i) => s.rate / base[i].rate)), 2)}, by CPU ${show(spread(rows.map((s, i) => base[i].us / s.us)), 2)}`,
  )
}
if (Object.keys(trees).length > 0) {
  printTrees(trees, Number(process.env.DEPTH ?? 7), Number(process.env.MIN ?? 0.5))
  // The flat view: self µs per request of each JS function and native leaf, side by side.
  const views = Object.fromEntries(Object.entries(trees).map(([k, t]) => [k, new Map(flat(t))]))
  const keys = [...new Set(Object.values(views).flatMap((v) => [...v.keys()]))]
  const sum = (k) => Object.values(views).reduce((a, v) => a + (v.get(k) ?? 0), 0)
  keys.sort((a, b) => sum(b) - sum(a))
  console.log(`flat, self µs per request: ${Object.keys(views).join(' | ')}`)
  for (const k of keys.slice(0, Number(process.env.TOP ?? 50)))
    console.log(
      `${Object.values(views)
        .map((v) => (v.get(k) ?? 0).toFixed(2).padStart(7))
        .join(' ')}  ${k}`,
    )
}
loader.close()
for (const f of [es, ...others, ...(pg ? [pg] : [])]) await f.server.close()
process.exit(0)
