// §5: the peers through their public npm packages, each in its own process on 127.0.0.1, loaded
// by the same autocannon in the same rounds as the Tessera case it is compared with. Each peer row
// shows the ratio Tessera / peer (above 1: Tessera is faster), computed round by round, by rate and
// per CPU-second of each server process (read from /proc over the load window).
import { perCpuSecond } from '../lib/backend-cpu.mjs'
import { startChild } from '../lib/child-server.mjs'
import { basic, CLI, form, grantReader, REDIS_URL, signUp, startTessera } from '../lib/harness.mjs'
import { cpuRatio, interleave, row } from '../lib/stats.mjs'

const RESOURCE = 'https://api.example.com'
const peer = (name) => new URL(`../peers/${name}.mjs`, import.meta.url).pathname

export async function run({ settings, loader, log }) {
  // As `tessera start` runs: the background tasks start the revocation signals, and with them the
  // cache of clients, APIs and role grants that token requests read (docs/architecture.md §8).
  const server = await startTessera({ background: true })
  const { address, tessera } = server
  await tessera.services.apis.create({ identifier: RESOURCE, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, CLI)
  const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [RESOURCE], scopes: ['orders:read'] }, CLI)
  const sessionToken = await signUp(address)
  await grantReader(tessera, [RESOURCE], { applications: [m2m.application.id] })

  const oidc = await startChild(peer('oidc-provider-server'))
  const betterAuth = await startChild(peer('better-auth-server'), { cookieCache: false })
  const betterAuthCached = await startChild(peer('better-auth-server'), { cookieCache: true })
  const expressSqlite = await startChild(peer('express-session-server'), { store: 'sqlite' })
  const expressRedis = await startChild(peer('express-session-server'), { store: 'redis', redisUrl: REDIS_URL })

  // Tessera runs in this process (nothing else here works during a load window: the load generator
  // is a child of its own); each peer in its child. The CPU is the whole process's, every thread:
  // Tessera signs client_credentials tokens on libuv's pool, node-oidc-provider on its event loop,
  // so with a second core free the rate ratio counts that core and the CPU ratio does not.
  const cc =
    (pid, url, authorization, extra = {}) =>
    () =>
      perCpuSecond(pid, () =>
        loader.run(url, {
          method: 'POST',
          headers: { ...form, authorization },
          body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, ...extra }).toString(),
        }),
      )
  const get =
    (pid, url, headers = {}) =>
    () =>
      perCpuSecond(pid, () => loader.run(url, { headers }))
  const self = process.pid
  const T = {
    cc: 'Tessera client_credentials (ES256 JWT, SQLite)',
    jwks: 'Tessera JWKS',
    session: 'Tessera GET /v1/session (SQLite)',
  }
  const P = {
    cc: 'node-oidc-provider client_credentials (ES256 JWT, in memory)',
    jwks: 'node-oidc-provider JWKS',
    betterAuth: 'better-auth get-session, SQLite, no cookie cache',
    betterAuthCached: 'better-auth get-session, SQLite, cookie cache (5 min)',
    expressSqlite: 'express-session check, SQLite store',
    expressRedis: 'express-session check, Redis store',
  }
  log('peers')
  const rows = await interleave(
    settings.decidingRounds,
    {
      [T.cc]: cc(self, `${address}/oauth/token`, basic(m2m.application.id, m2m.clientSecret)),
      [P.cc]: cc(oidc.pid, `${oidc.address}/token`, basic(oidc.client.client_id, oidc.client.client_secret), { scope: 'orders:read' }),
      [T.jwks]: get(self, `${address}/.well-known/jwks.json`),
      [P.jwks]: get(oidc.pid, `${oidc.address}/jwks`),
      [T.session]: get(self, `${address}/v1/session`, { authorization: `Bearer ${sessionToken}` }),
      [P.betterAuth]: get(betterAuth.pid, `${betterAuth.address}/api/auth/get-session`, { cookie: betterAuth.cookie }),
      [P.betterAuthCached]: get(betterAuthCached.pid, `${betterAuthCached.address}/api/auth/get-session`, {
        cookie: betterAuthCached.cookie,
      }),
      [P.expressSqlite]: get(expressSqlite.pid, `${expressSqlite.address}/check`, { cookie: expressSqlite.cookie }),
      [P.expressRedis]: get(expressRedis.pid, `${expressRedis.address}/check`, { cookie: expressRedis.cookie }),
    },
    null,
    log,
  )
  for (const child of [oidc, betterAuth, betterAuthCached, expressSqlite, expressRedis]) await child.close()
  await server.close()

  // Ratios Tessera / peer, round by round, from the interleaved samples.
  const byName = Object.fromEntries(rows.map((r) => [r.name, r]))
  const samples = (name) => byName[name].samples
  const against = {
    [P.cc]: T.cc,
    [P.jwks]: T.jwks,
    [P.betterAuth]: T.session,
    [P.betterAuthCached]: T.session,
    [P.expressSqlite]: T.session,
    [P.expressRedis]: T.session,
  }
  const out = rows.map((r) => {
    const tessera = against[r.name]
    if (!tessera) return { ...r, name: `**${r.name}**` }
    const ratios = samples(r.name).map((s, i) => ({ rate: samples(tessera)[i].rate / s.rate }))
    return { ...r, ratio: row('', ratios, null).rate, cpuRatio: cpuRatio(samples(tessera), samples(r.name)) }
  })
  return [
    {
      id: 'peers',
      title: '5. Peers',
      intro:
        'Tessera rows in bold; each peer row gives Tessera / peer for the same work (above 1: Tessera is faster). Peers: node-oidc-provider 8 ' +
        '(the last major that supports Node 20; 9 asks for Node 22) with client_credentials issuing RFC 9068 ES256 JWTs through its ' +
        'resourceIndicators feature and its in-memory adapter; better-auth on its SQLite adapter (better-sqlite3@12), get-session with the ' +
        'session cookie, without and with its cookie cache; express 5 + express-session (resave and saveUninitialized off) with ' +
        'better-sqlite3-session-store or connect-redis. Tessera checks sessions against SQLite with a SHA-256 of the secret compared in constant time; ' +
        'it has no Redis session store, so the Redis row is compared with Tessera on SQLite. ' +
        'Per CPU-second: requests per second of CPU time of the server process (every thread, user + system, from /proc over the load window), ' +
        'and the same ratio Tessera / peer by it. The rate ratio counts what a server gets from the second core of this 2-core machine ' +
        "(Tessera signs client_credentials tokens on libuv's thread pool, node-oidc-provider on its event loop); the CPU ratio is the cost per request, " +
        'which is what a deployment whose cores are all busy gets. The Redis server and the SQLite files are outside both counts.',
      ratioLabel: 'Tessera / peer',
      cpuLabel: 'req per CPU-second of the server process',
      rounds: settings.decidingRounds,
      rows: out,
      chart: true,
    },
  ]
}
