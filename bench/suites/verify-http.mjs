// §1 over HTTP: a small resource server (lib/resource-server.mjs, its own process) with one route
// per verification mode, loaded by autocannon; every case is a ratio to the unprotected route of
// the same server measured in the same round. Plus Tessera's own session check (GET /v1/session)
// on SQLite and PostgreSQL, against Tessera's /healthz.
import { perCpuSecond } from '../lib/backend-cpu.mjs'
import { startChild } from '../lib/child-server.mjs'
import { basic, CLI, exchange, form, grantReader, signUpUser, startTessera } from '../lib/harness.mjs'
import { interleave } from '../lib/stats.mjs'

export const ALGORITHMS = ['ES256', 'EdDSA', 'RS256', 'PS256']
const JWT_API = 'https://jwt.example.test'
const HYBRID_API = 'https://hybrid.example.test'
const SESSION_API = 'https://session.example.test'
const SESSIONS_IN_TURN = 50

/** One Tessera with a jwt API (and, when `full`, a hybrid and a session API), and its tokens. */
export async function fixture(options, full) {
  const server = await startTessera(options)
  const { tessera, address, issuer } = server
  const apis = tessera.services.apis
  const apps = tessera.services.applications
  // An hour, not a jwt API's default 300 s: the section's six rounds of every case outlast five
  // minutes, and a token that expired mid-run answered 401 (a full run stopped at round 6 of 1b).
  await apis.create({ identifier: JWT_API, name: 'jwt', mode: 'jwt', scopes: ['orders:read'], accessTokenTtl: 3600 }, CLI)
  const m2m = await apps.create({ name: 'job', type: 'm2m', apis: [JWT_API], scopes: ['orders:read'] }, CLI)
  await grantReader(tessera, [JWT_API], { applications: [m2m.application.id], name: 'job-reader' })
  const jwtToken = (await tessera.services.tokens.clientCredentials(m2m.application, { resource: [JWT_API], scope: undefined }))
    .access_token
  const out = { server, issuer, jwtToken }
  if (!full) return out
  await apis.create({ identifier: HYBRID_API, name: 'hybrid', mode: 'hybrid', scopes: ['orders:read'] }, CLI)
  await apis.create({ identifier: SESSION_API, name: 'session', mode: 'session', scopes: ['orders:read'] }, CLI)
  const web = await apps.create(
    { name: 'web', type: 'web', grants: ['token_exchange'], apis: [HYBRID_API, SESSION_API], scopes: ['orders:read'] },
    CLI,
  )
  const hybridRs = await apps.create({ name: 'hybrid-rs', type: 'resource-server', apis: [HYBRID_API] }, CLI)
  const sessionRs = await apps.create({ name: 'session-rs', type: 'resource-server', apis: [SESSION_API] }, CLI)
  const { token: sessionToken, userId } = await signUpUser(address)
  await grantReader(tessera, [HYBRID_API, SESSION_API], { users: [userId] })
  const webAuth = basic(web.application.id, web.clientSecret)
  out.sessionToken = sessionToken
  // More users' sessions, sent in turn: every request of a one-token row checks the same session,
  // which a read cache or a batched read answers once for many requests (issue 17).
  out.sessionAuthorizations = [`Bearer ${sessionToken}`]
  for (let i = 1; i < SESSIONS_IN_TURN; i++) {
    const other = await signUpUser(address, `bench${i}@example.com`)
    await tessera.services.roles?.assignToUser('reader', other.userId, CLI)
    out.sessionAuthorizations.push(`Bearer ${other.token}`)
  }
  // And one opaque access token of each of those sessions (same role, same scope), for introspection in turn.
  out.opaqueTokens = []
  for (const authorization of out.sessionAuthorizations)
    out.opaqueTokens.push((await exchange(address, webAuth, authorization.slice('Bearer '.length), SESSION_API)).access_token)
  out.hybridToken = (await exchange(address, webAuth, sessionToken, HYBRID_API)).access_token
  out.opaqueToken = (await exchange(address, webAuth, sessionToken, SESSION_API)).access_token
  out.hybridClient = { id: hybridRs.application.id, secret: hybridRs.clientSecret }
  out.sessionClient = { id: sessionRs.application.id, secret: sessionRs.clientSecret }
  // An inactive token is answered 200 too, which the loader would count as served: check each once.
  for (const token of [out.opaqueToken, ...out.opaqueTokens]) {
    const response = await fetch(`${address}/oauth/introspect`, {
      method: 'POST',
      headers: { ...form, authorization: basic(out.sessionClient.id, out.sessionClient.secret) },
      body: `token=${encodeURIComponent(token)}`,
    })
    if ((await response.json()).active !== true) throw new Error('an introspection fixture token is not active')
  }
  return out
}

export async function run({ settings, loader, log }) {
  const fixtures = {}
  for (const alg of ALGORITHMS) fixtures[alg] = await fixture({ keys: { algorithm: alg }, background: alg === 'ES256' }, alg === 'ES256')
  // Background tasks on, as `tessera start` runs them and as the SQLite fixture above has them: they
  // start the revocation signals, and with them the per-instance config cache introspection reads
  // the client, the API and the cut-offs from. Without them every introspection read those from
  // PostgreSQL, four more round trips than a running server makes.
  const postgres = await fixture({ database: 'postgres', background: true }, true)
  const es = fixtures.ES256
  const routes = [{ path: '/bare', verifier: null }]
  const tokens = {}
  const route = (path, token, verifier) => {
    routes.push({ path, verifier })
    tokens[path] = token
  }
  route('/session/sqlite', es.opaqueToken, { issuer: es.issuer, audience: SESSION_API, mode: 'session', client: es.sessionClient })
  route('/session/postgres', postgres.opaqueToken, {
    issuer: postgres.issuer,
    audience: SESSION_API,
    mode: 'session',
    client: postgres.sessionClient,
  })
  for (const alg of ALGORITHMS) {
    const { issuer, jwtToken } = fixtures[alg]
    route(`/jwt/${alg}/cold`, jwtToken, { issuer, audience: JWT_API, mode: 'jwt', cacheSize: 0 })
    route(`/jwt/${alg}/cached`, jwtToken, { issuer, audience: JWT_API, mode: 'jwt' })
  }
  route('/hybrid/cold', es.hybridToken, { issuer: es.issuer, audience: HYBRID_API, mode: 'hybrid', client: es.hybridClient, cacheSize: 0 })
  route('/hybrid/cached', es.hybridToken, { issuer: es.issuer, audience: HYBRID_API, mode: 'hybrid', client: es.hybridClient })
  const rs = await startChild(new URL('../lib/resource-server.mjs', import.meta.url).pathname, { routes })

  // Each measurement also reads the CPU time of the server it loads (/proc, every thread): the
  // resource server's for section 1b, this process's (where Tessera runs) for 1c. The bare route
  // needs about a core for the resource server and a core for autocannon, so on 2 cores its rate is
  // bound by both, and by anything else that runs; a cached route needs the resource server's core
  // and less of autocannon's. The rate ratio then moves with the bare rate from run to run (quiet
  // runs of the same code: bare 57k and 47k req/s, hybrid cached 43k and 44k, ratio 0.75 and 0.94);
  // the ratio per CPU-second of the resource server is the verifier's cost alone.
  const get =
    (url, token, pid = rs.pid) =>
    () =>
      perCpuSecond(pid, () => loader.run(url, token ? { headers: { authorization: `Bearer ${token}` } } : {}))
  const labels = {
    '/bare': 'unprotected route (baseline)',
    '/session/sqlite': 'session mode: introspection, Tessera on SQLite',
    '/session/postgres': 'session mode: introspection, Tessera on PostgreSQL',
    '/hybrid/cold': 'hybrid mode (ES256), cache off',
    '/hybrid/cached': 'hybrid mode (ES256), verified-token cache',
  }
  for (const alg of ALGORITHMS) {
    labels[`/jwt/${alg}/cold`] = `jwt mode ${alg}, cache off (full verify per request)`
    labels[`/jwt/${alg}/cached`] = `jwt mode ${alg}, verified-token cache`
  }
  const cases = Object.fromEntries(routes.map(({ path }) => [labels[path], get(`${rs.address}${path}`, tokens[path])]))
  log('verification over HTTP (resource server)')
  const rows = await interleave(settings.decidingRounds, cases, labels['/bare'], log)

  // Issue 17, target 3: a resource server's introspection, straight at Tessera, against the session check.
  const self = process.pid
  const introspect =
    (f, inTurn = false) =>
    () =>
      perCpuSecond(self, () =>
        loader.run(`${f.server.address}/oauth/introspect`, {
          method: 'POST',
          headers: {
            authorization: basic(f.sessionClient.id, f.sessionClient.secret),
            'content-type': 'application/x-www-form-urlencoded',
          },
          ...(inTurn
            ? { bodies: f.opaqueTokens.map((token) => `token=${encodeURIComponent(token)}`) }
            : { body: `token=${encodeURIComponent(f.opaqueToken)}` }),
        }),
      )
  const inTurn = (f) => () =>
    perCpuSecond(self, () => loader.run(`${f.server.address}/v1/session`, { authorizations: f.sessionAuthorizations }))
  log("Tessera's own session check")
  const sessionRows = await interleave(
    settings.decidingRounds,
    {
      'GET /healthz on Tessera (baseline)': get(`${es.server.address}/healthz`, null, self),
      'GET /v1/session, SQLite': get(`${es.server.address}/v1/session`, es.sessionToken, self),
      'GET /v1/session, PostgreSQL': get(`${postgres.server.address}/v1/session`, postgres.sessionToken, self),
      [`GET /v1/session, SQLite, ${SESSIONS_IN_TURN} sessions in turn`]: inTurn(es),
      [`GET /v1/session, PostgreSQL, ${SESSIONS_IN_TURN} sessions in turn`]: inTurn(postgres),
      'POST /oauth/introspect (opaque token), SQLite': introspect(es),
      'POST /oauth/introspect (opaque token), PostgreSQL': introspect(postgres),
      [`POST /oauth/introspect (opaque token), SQLite, ${SESSIONS_IN_TURN} tokens in turn`]: introspect(es, true),
      [`POST /oauth/introspect (opaque token), PostgreSQL, ${SESSIONS_IN_TURN} tokens in turn`]: introspect(postgres, true),
    },
    'GET /healthz on Tessera (baseline)',
    log,
  )
  await rs.close()
  for (const f of [...Object.values(fixtures), postgres]) await f.server.close()
  return [
    {
      id: 'verify-http',
      title: '1b. Verification over HTTP (resource server)',
      intro:
        'A Fastify resource server in its own process, one route per case, each guarded by `@tessera/sdk/fastify` with its own verifier; ' +
        'autocannon (another process) sends the same token on every request. "Cache off" is `cacheSize: 0`: every request verifies the ' +
        'signature and the claims. Session mode asks Tessera (RFC 7662 introspection of an opaque access token) on every request. ' +
        'Redis: Tessera has no Redis session store (Redis only carries revocations between instances), so there is no Tessera row on ' +
        'Redis; the express-session + Redis row in section 5 shows what a Redis-backed session check costs. ' +
        'Per CPU-second: requests per second of CPU time of the resource server (every thread, from /proc over the load window), and the ' +
        "ratio to the bare route by it. On this 2-core machine the bare route's rate is bound by autocannon as much as by the resource " +
        'server (each needs about a core at that rate), so anything else that runs lowers it, and the rate ratios of the cheap routes move ' +
        "with it from run to run; the ratio per CPU-second is the verifier's own cost, what a resource server with a core of its own would keep.",
      cpuLabel: 'req per CPU-second of the resource server',
      unit: 'req/s',
      rounds: settings.decidingRounds,
      rows,
      chart: true,
    },
    {
      id: 'session-check',
      title: "1c. Tessera's session check over HTTP",
      intro:
        '`GET /v1/session` with `Authorization: Bearer <session token>`: one store read (the session joined with its user; SHA-256 of the secret, constant-time compare), no write (last activity is throttled). ' +
        `The one-token rows send the same session on every request, which the SQLite read cache and the PostgreSQL batched read answer once for many requests; the "${SESSIONS_IN_TURN} sessions in turn" rows send ${SESSIONS_IN_TURN} users' sessions in turn, as real traffic would, and the "${SESSIONS_IN_TURN} tokens in turn" rows introspect one opaque token of each of those sessions in turn (autocannon then builds each request, which costs it CPU on this shared machine, so they are a lower bound). ` +
        "`POST /oauth/introspect` of an opaque session-mode access token by its resource server (client_secret_basic): one store read (the token joined with its session and the session's user); the client, its API and its cut-offs come from the per-instance config cache, and the client's throttle state is read only after a wrong secret. " +
        "Per CPU-second: requests per second of CPU time of the bench's process, where the Tessera instances run (PostgreSQL's backends are not counted). " +
        "Over sockets that CPU also depends on the traffic's pattern: PostgreSQL's round trip pauses the event loop once per batch, and the process is then preempted less and spends less on every request, so the SQLite and PostgreSQL rows do not compare the two checks' costs (without sockets the SQLite check is the cheaper; docs/architecture.md §9, bench/tools/session-gap.mjs).",
      cpuLabel: 'req per CPU-second of Tessera',
      unit: 'req/s',
      rounds: settings.decidingRounds,
      rows: sessionRows,
      chart: true,
    },
  ]
}
