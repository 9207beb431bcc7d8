// Before/after in the same run: two builds of the server (two dist folders, e.g. a copy of
// packages/server/dist taken before a change, and the new one), each in this process on its own
// database, loaded in turn by autocannon.
// Usage: node bench/tools/ab-token-endpoint.mjs <dist-before> <dist-after> [rounds] [seconds] [case] [sqlite|postgres]
//   case `client_credentials` (the default): POST /oauth/token by an m2m client;
//   case `introspect`: POST /oauth/introspect of an opaque session-mode access token by its
//   resource server (issue 17 target 3), with GET /v1/session of the same session for the ratio;
//   case `introspect-jwt`: the same with a JWT access token (an API in `jwt` mode).
// CPU per request is printed for this process (both servers run here, one loaded at a time) and,
// on PostgreSQL, for the build's own backends (bench/lib/backend-cpu.mjs).
import { backendCpu } from '../lib/backend-cpu.mjs'
import { basic, form, grantReader, PASSWORD, startTessera } from '../lib/harness.mjs'
import { startLoader } from '../lib/loader.mjs'
import { spread } from '../lib/stats.mjs'

const [before, after, rounds = '5', seconds = '4', which = 'client_credentials', database = 'sqlite'] = process.argv.slice(2)
const resource = 'https://api.example.com'
const cli = { kind: 'cli' }
const started = []

async function start(dist) {
  // As `tessera start` runs (background: the revocation signals, and the caches they keep fresh).
  const server = await startTessera({ dist, database, background: true })
  started.push(server)
  const { tessera, address } = server
  const requests = await (which.startsWith('introspect')
    ? introspectCase(tessera, address, which === 'introspect-jwt' ? 'jwt' : 'session')
    : clientCredentialsCase(tessera, address))
  return { ...requests, schema: server.schema }
}

async function clientCredentialsCase(tessera, address) {
  await tessera.services.apis.create({ identifier: resource, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, cli)
  const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [resource], scopes: ['orders:read'] }, cli)
  await grantReader(tessera, [resource], { applications: [m2m.application.id] })
  const authorization = basic(m2m.application.id, m2m.clientSecret)
  const body = new URLSearchParams({ grant_type: 'client_credentials', resource }).toString()
  return {
    tessera,
    requests: { client_credentials: [`${address}/oauth/token`, { method: 'POST', headers: { ...form, authorization }, body }] },
  }
}

async function introspectCase(tessera, address, mode) {
  await tessera.services.apis.create({ identifier: resource, name: 'Orders', mode, scopes: ['orders:read'] }, cli)
  const web = await tessera.services.applications.create(
    { name: 'web', type: 'web', grants: ['token_exchange'], apis: [resource], scopes: ['orders:read'] },
    cli,
  )
  const rs = await tessera.services.applications.create({ name: 'rs', type: 'resource-server', apis: [resource] }, cli)
  const signUp = await fetch(`${address}/v1/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ab@example.com', password: PASSWORD, transport: 'bearer' }),
  })
  const { session, user } = await signUp.json()
  await grantReader(tessera, [resource], { users: [user.id] })
  const exchanged = await fetch(`${address}/oauth/token`, {
    method: 'POST',
    headers: { ...form, authorization: basic(web.application.id, web.clientSecret) },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: session.token,
      subject_token_type: 'urn:tessera:token-type:session',
      resource,
    }).toString(),
  })
  const token = (await exchanged.json()).access_token
  const authorization = basic(rs.application.id, rs.clientSecret)
  const check = await fetch(`${address}/oauth/introspect`, {
    method: 'POST',
    headers: { ...form, authorization },
    body: new URLSearchParams({ token }).toString(),
  })
  if (!(await check.json()).active) throw new Error('the introspected token is not active')
  return {
    tessera,
    requests: {
      introspect: [
        `${address}/oauth/introspect`,
        { method: 'POST', headers: { ...form, authorization }, body: new URLSearchParams({ token }).toString() },
      ],
      session: [`${address}/v1/session`, { method: 'GET', headers: { authorization: `Bearer ${session.token}` } }],
    },
  }
}

const servers = { before: await start(before), after: await start(after) }
const loader = startLoader({ duration: Number(seconds), connections: 50 })
const kinds = Object.keys(servers.before.requests)
const rates = Object.fromEntries(kinds.map((kind) => [kind, { before: [], after: [] }]))
const cpus = Object.fromEntries(kinds.map((kind) => [kind, { before: [], after: [] }]))
const pgCpus = Object.fromEntries(kinds.map((kind) => [kind, { before: [], after: [] }]))
const backends = async (name) => (database === 'postgres' ? backendCpu(servers[name].schema) : 0)
for (let round = 0; round < Number(rounds); round++) {
  // Alternate which build goes first: the first of a pair was measured faster in an A/A run.
  for (const name of round % 2 ? ['after', 'before'] : ['before', 'after']) {
    for (const kind of kinds) {
      const [url, options] = servers[name].requests[kind]
      // The servers' CPU time per request (this process; the load generator is a child) holds
      // still on a busy machine, unlike req/s.
      const cpu = process.cpuUsage()
      const backendsBefore = await backends(name)
      const result = await loader.run(url, options)
      const used = process.cpuUsage(cpu)
      const pgMicros = (((await backends(name)) - backendsBefore) * 1e6) / result.total
      const micros = (used.user + used.system) / result.total
      rates[kind][name].push(result.rate)
      cpus[kind][name].push(micros)
      pgCpus[kind][name].push(pgMicros)
      console.log(
        `round ${round + 1} ${name} ${kind}: ${Math.round(result.rate)} req/s, p50 ${result.p50} ms, ${micros.toFixed(0)} µs CPU/request` +
          (database === 'postgres' ? `, PostgreSQL backends ${pgMicros.toFixed(0)} µs` : ''),
      )
    }
  }
}
const show = (s) => `${s.median.toFixed(2)} (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)})`
for (const kind of kinds) {
  const { before: b, after: a } = rates[kind]
  console.log(
    `${kind} on ${database}: before ${Math.round(spread(b).median)} req/s, after ${Math.round(spread(a).median)} req/s; ` +
      `after / before ${show(spread(a.map((rate, i) => rate / b[i])))} over ${rounds} rounds`,
  )
  const { before: cb, after: ca } = cpus[kind]
  console.log(
    `${kind} on ${database}: CPU per request before ${spread(cb).median.toFixed(0)} µs, after ${spread(ca).median.toFixed(0)} µs; ` +
      `before / after ${show(spread(ca.map((micros, i) => cb[i] / micros)))}`,
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
for (const server of started) await server.close()
process.exit(0)
