// Round by round, cases of bench/suites/verify-http.mjs (sections 1b and 1c, on the suite's own
// fixture) with the CPU of every process beside each rate: the server (all threads and its main
// thread), the load generator, and this process (Tessera, whose revocation feed the hybrid verifier
// subscribes to). Finds out what bounds a row: a rate ratio to /bare means "the verifier's cost"
// only while the resource server is what saturates in both cases (on 2 cores the bare route takes
// about a core for the resource server and one for autocannon, so it is not).
// Usage: node bench/tools/verify-http-rounds.mjs [rounds] [seconds] [case,…] [--pin] [--rate=N] [--idle=S] [--sdk=DIR] [--sdk-b=DIR]
//   cases: bare, jwt-cold, jwt-cached, hybrid-cold, hybrid-cached (default bare,jwt-cached,hybrid-cached),
//   session-sqlite, session-pg (session mode: introspection of an opaque token on every request, as
//   §1b's /session/sqlite and /session/postgres), and Tessera's own (section 1c, "server" is then this
//   process): healthz, session-1, session-50. The first case is the baseline.
//   --pin: the resource server on CPU 1, the load generator on CPU 0 (taskset), this process on CPU 0.
//   --sdk=DIR: the resource server loads the SDK built in DIR (a copy of packages/sdk/dist under the
//   worktree, e.g. bench/.cache/sdk-before) instead of the package. --sdk-b=DIR: a second resource
//   server on the SDK in DIR; a case named NAME@b runs NAME there, so one run interleaves two builds
//   round by round (give both orders, `session-sqlite,session-sqlite@b` and the reverse).
import { execFileSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { PerformanceObserver } from 'node:perf_hooks'
import { mainThreadCpu, processCpu } from '../lib/backend-cpu.mjs'
import { startChild } from '../lib/child-server.mjs'
import { startLoader } from '../lib/loader.mjs'
import { spread } from '../lib/stats.mjs'
import { fixture } from '../suites/verify-http.mjs'

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'))
const [rounds = '5', seconds = '4', which = 'bare,jwt-cached,hybrid-cached'] = process.argv.slice(2).filter((a) => !a.startsWith('--'))
const pin = flags.includes('--pin')
// --rate=N: offer N requests per second in every case, to compare CPU per request at the same rate.
const overallRate = Number(flags.find((f) => f.startsWith('--rate='))?.slice('--rate='.length)) || undefined
const HYBRID_API = 'https://hybrid.example.test'
const JWT_API = 'https://jwt.example.test'
const SESSION_API = 'https://session.example.test'
const sdkDir = (name) => {
  const dir = flags.find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3)
  return dir && new URL(dir, `file://${process.cwd()}/`).pathname
}

// --idle=S: wait S seconds before the rounds, as the suite's section 1c starts minutes after its
// fixture signed its users up (their sessions' last activity is then due for a write, 60 s).
const idle = Number(flags.find((f) => f.startsWith('--idle='))?.slice('--idle='.length)) || 0
const names = which.split(',')
const es = await fixture({ keys: { algorithm: 'ES256' }, background: true }, true)
// As the suite: background tasks on, so introspection reads the client and the API from the config cache.
const postgres = names.some((name) => name.startsWith('session-pg'))
  ? await fixture({ database: 'postgres', background: true }, true)
  : null
const all = {
  bare: { path: '/bare', verifier: null },
  'jwt-cold': { path: '/jwt/cold', verifier: { issuer: es.issuer, audience: JWT_API, mode: 'jwt', cacheSize: 0 }, token: es.jwtToken },
  'jwt-cached': { path: '/jwt/cached', verifier: { issuer: es.issuer, audience: JWT_API, mode: 'jwt' }, token: es.jwtToken },
  'hybrid-cold': {
    path: '/hybrid/cold',
    verifier: { issuer: es.issuer, audience: HYBRID_API, mode: 'hybrid', client: es.hybridClient, cacheSize: 0 },
    token: es.hybridToken,
  },
  'hybrid-cached': {
    path: '/hybrid/cached',
    verifier: { issuer: es.issuer, audience: HYBRID_API, mode: 'hybrid', client: es.hybridClient },
    token: es.hybridToken,
  },
  'session-sqlite': {
    path: '/session/sqlite',
    verifier: { issuer: es.issuer, audience: SESSION_API, mode: 'session', client: es.sessionClient },
    token: es.opaqueToken,
  },
  ...(postgres && {
    'session-pg': {
      path: '/session/postgres',
      verifier: { issuer: postgres.issuer, audience: SESSION_API, mode: 'session', client: postgres.sessionClient },
      token: postgres.opaqueToken,
    },
  }),
}
// NAME@b: the case NAME on the second resource server (--sdk-b).
for (const name of Object.keys(all)) all[`${name}@b`] = { ...all[name], b: true }
// Section 1c's cases, straight at Tessera (in this process): the session check with one token,
// and with the fixture's 50 users' sessions in turn.
const tessera = {
  healthz: { url: `${es.server.address}/healthz` },
  'session-1': { url: `${es.server.address}/v1/session`, token: es.sessionToken },
  'session-50': { url: `${es.server.address}/v1/session`, authorizations: es.sessionAuthorizations },
}
const routesOf = (b) =>
  names.filter((name) => all[name] && !all[name].b === !b).map((name) => ({ path: all[name].path, verifier: all[name].verifier }))
const rs = await startChild(new URL('../lib/resource-server.mjs', import.meta.url).pathname, {
  routes: routesOf(false),
  sdk: sdkDir('sdk'),
})
const rsB = names.some((name) => all[name]?.b)
  ? await startChild(new URL('../lib/resource-server.mjs', import.meta.url).pathname, { routes: routesOf(true), sdk: sdkDir('sdk-b') })
  : null
const loader = startLoader({ duration: Number(seconds), connections: 50 })
if (pin) {
  execFileSync('taskset', ['-a', '-p', '-c', '1', String(rs.pid)])
  if (rsB) execFileSync('taskset', ['-a', '-p', '-c', '1', String(rsB.pid)])
  execFileSync('taskset', ['-a', '-p', '-c', '0', String(loader.pid)])
  execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)])
}
// GC pauses in this process (Tessera's), and the SQLite change stamp of the fixture's database:
// its `writes` counts this process's statements that may write, each of which empties the read
// caches of the session check and introspection (docs/architecture.md §12), so a window with no
// write answers every check after a session's first from memory.
let gcMs = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration
}).observe({ entryTypes: ['gc'] })
const stamp = () => es.server.tessera.database.changes?.stamp() ?? { writes: Number.NaN, dataVersion: Number.NaN }
if (idle) await new Promise((resolve) => setTimeout(resolve, idle * 1000))
const table = Object.fromEntries(names.map((name) => [name, []]))
for (let round = 0; round < Number(rounds); round++) {
  for (const name of names) {
    const { path, token, url, authorizations, b } = all[name] ?? tessera[name]
    // The server of the case: the resource server (A or B), or this process for Tessera's own routes.
    const target = b ? rsB : rs
    const server = all[name] ? target.pid : process.pid
    const before = { rs: processCpu(server), rsMain: mainThreadCpu(server), loader: processCpu(loader.pid), self: processCpu(process.pid) }
    const started = performance.now()
    const [gcBefore, stampBefore] = [gcMs, stamp()]
    const result = await loader.run(url ?? `${target.address}${path}`, {
      overallRate,
      authorizations,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    })
    const wall = (performance.now() - started) / 1000
    const share = (now, then) => (now - then) / wall
    const sample = {
      rate: result.rate,
      rs: share(processCpu(server), before.rs),
      rsMain: share(mainThreadCpu(server), before.rsMain),
      loader: share(processCpu(loader.pid), before.loader),
      self: share(processCpu(process.pid), before.self),
      rsUs: ((processCpu(server) - before.rs) * 1e6) / result.total,
      load: loadavg()[0],
      gcUs: ((gcMs - gcBefore) * 1000) / result.total,
      writes: stamp().writes - stampBefore.writes,
    }
    table[name].push(sample)
    console.log(
      `round ${round + 1} ${name.padEnd(16)} ${String(Math.round(sample.rate)).padStart(6)}/s  ratio ${(sample.rate / table[names[0]][round].rate).toFixed(2)}  ` +
        `CPU (cores): server ${sample.rs.toFixed(2)} (main thread ${sample.rsMain.toFixed(2)}), load generator ${sample.loader.toFixed(2)}, ` +
        `this process (Tessera) ${sample.self.toFixed(2)}; server ${sample.rsUs.toFixed(1)} µs/request; this process's GC ${sample.gcUs.toFixed(1)} µs/request; ` +
        `Tessera's SQLite writes ${sample.writes}; load ${sample.load.toFixed(2)}`,
    )
  }
}
const show = (s, d = 2) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}–${s.max.toFixed(d)})`
for (const name of names) {
  const rows = table[name]
  const ratio = spread(rows.map((s, i) => s.rate / table[names[0]][i].rate))
  const cpuRatio = spread(rows.map((s, i) => table[names[0]][i].rsUs / s.rsUs))
  console.log(
    `${name}: ${show(spread(rows.map((s) => s.rate)), 0)}/s, ratio to ${names[0]} ${show(ratio)}, by the server's CPU per request ${show(cpuRatio)}; ` +
      `server ${show(spread(rows.map((s) => s.rsUs)), 1)} µs/request, load generator ${show(spread(rows.map((s) => s.loader)))} cores`,
  )
}
loader.close()
await rs.close()
await rsB?.close()
await es.server.close()
await postgres?.server.close()
process.exit(0)
