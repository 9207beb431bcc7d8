// §2: token issuance on SQLite (client_credentials, token exchange, refresh rotation, the JWKS)
// against Tessera's /healthz in the same round; sign-in latency, throughput and the event-loop
// delay while argon2id hashes; token exchange and refresh rotation against the build issue 17 was
// filed with (its target 4, a ratio of the two in one run).
import { execFile } from 'node:child_process'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { promisify } from 'node:util'
import { FILED_REVISION, filedBuild } from '../lib/filed-build.mjs'
import { basic, CLI, exchange, exchangeBody, form, grantReader, json, PASSWORD, signUpUser, startTessera } from '../lib/harness.mjs'
import { CHAINS, issuanceCases, rotateBuilds, startIssuanceServer } from '../lib/issuance-ab.mjs'
import { interleave, percentile, row, spread } from '../lib/stats.mjs'

const RESOURCE = 'https://api.example.com'
const NONE = { min: Number.NaN, median: Number.NaN, max: Number.NaN }

/** The token endpoint's cases on one database, each against that server's /healthz in the same round. */
async function tokenIssuance({ database, settings, loader, log }) {
  // As `tessera start` runs: the background tasks start the revocation signals, and with them the
  // cache of clients, APIs and role grants that token requests read (docs/architecture.md §8).
  const server = await startTessera({ database, background: true })
  const { address, tessera } = server
  await tessera.services.apis.create({ identifier: RESOURCE, name: 'Orders', mode: 'jwt', scopes: ['orders:read'] }, CLI)
  const m2m = await tessera.services.applications.create({ name: 'job', type: 'm2m', apis: [RESOURCE], scopes: ['orders:read'] }, CLI)
  const web = await tessera.services.applications.create(
    { name: 'web', type: 'web', grants: ['token_exchange', 'refresh_token'], apis: [RESOURCE], scopes: ['orders:read'] },
    CLI,
  )
  const { token: sessionToken, userId } = await signUpUser(address)
  await grantReader(tessera, [RESOURCE], { users: [userId], applications: [m2m.application.id] })
  const webAuth = basic(web.application.id, web.clientSecret)
  const ccBody = new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE }).toString()
  const post = (headers, body) => () => loader.run(`${address}/oauth/token`, { method: 'POST', headers: { ...form, ...headers }, body })

  // Refresh chains: each chain refreshes its own token one request after another (a fixed body
  // would be a replay), driven from a child process like autocannon.
  const refresh = async () => {
    const starts = []
    for (let i = 0; i < CHAINS; i++) starts.push((await exchange(address, webAuth, sessionToken, RESOURCE)).refresh_token)
    const { stdout } = await promisify(execFile)(process.execPath, [
      new URL('../lib/refresh-chains.mjs', import.meta.url).pathname,
      JSON.stringify({ url: `${address}/oauth/token`, authorization: webAuth, tokens: starts, seconds: settings.duration }),
    ])
    const result = JSON.parse(stdout)
    return { rate: result.rps, p50: result.p50, p99: result.p99 }
  }
  log(`token issuance, ${database}`)
  const rows = await interleave(
    settings.rounds,
    {
      'GET /healthz (baseline)': () => loader.run(`${address}/healthz`),
      'GET /.well-known/jwks.json': () => loader.run(`${address}/.well-known/jwks.json`),
      'client_credentials (ES256 JWT, no write)': post({ authorization: basic(m2m.application.id, m2m.clientSecret) }, ccBody),
      'token exchange (session → JWT + refresh token, one transaction)': post(
        { authorization: webAuth },
        exchangeBody(sessionToken, RESOURCE),
      ),
      [`refresh-token rotation (${CHAINS} chains)`]: refresh,
    },
    'GET /healthz (baseline)',
    log,
  )
  await server.close()
  return rows
}

const FILED = FILED_REVISION.slice(0, 7)
/** Row names of §2d; bench/targets.mjs reads the rows of this build (target 4 of issue 17). */
const FILED_ROWS = {
  exchange: { filed: `token exchange, ${FILED}`, current: 'token exchange, this build' },
  refresh: {
    filed: `refresh-token rotation (${CHAINS} chains), ${FILED}`,
    current: `refresh-token rotation (${CHAINS} chains), this build`,
  },
}

/**
 * §2d: token exchange and refresh rotation on the build issue 17 was filed with and on this one, in
 * turn (lib/issuance-ab.mjs), each server in a process of its own on SQLite. The filed build is
 * prepared first if this profile does that and no earlier run did (lib/filed-build.mjs); when it
 * cannot be had or the comparison fails, the section says why and target 4 reads "not measured".
 */
async function againstFiledBuild({ settings, loader, log }) {
  const section = {
    id: 'issuance-filed',
    title: `2d. Token exchange and refresh rotation against the code issue 17 was filed with (${FILED}, SQLite)`,
    ratioLabel: `ratio to ${FILED}`,
    cpuLabel: 'req per CPU-second of the server',
    chart: false,
  }
  const notMeasured = (reason) => {
    log(`  not measured: ${reason}`)
    return { ...section, notMeasured: reason, intro: `Not measured: ${reason}.` }
  }
  log(`token exchange and refresh rotation against ${FILED}`)
  const build = await filedBuild({ prepare: settings.filed.prepare, log: (line) => log(`  ${line}`) })
  if (!build.ok) return notMeasured(build.reason)
  const steps = Object.entries(build.steps ?? {})
    .map(([step, seconds]) => `${step} ${seconds.toFixed(0)} s`)
    .join(', ')
  const prepared = `prepared ${build.reused ? 'by an earlier run' : 'in this run'} in ${build.seconds.toFixed(0)} s: ${steps}`
  log(`  build of ${FILED} ${prepared}`)
  const servers = {}
  try {
    // Started one after the other; the filed build goes first in odd rounds, this one in even rounds.
    servers.filed = await startIssuanceServer({ dist: build.dist, name: 'filed' })
    servers.current = await startIssuanceServer({ name: 'current' })
    const { samples, loads } = await rotateBuilds({
      servers,
      cases: issuanceCases(loader),
      rounds: settings.filed.rounds,
      seconds: settings.duration,
      warmUpSeconds: settings.filed.warmUpSeconds,
      log: (round, kind, name, { rate, cpuUs }) =>
        log(`  round ${round + 1}/${settings.filed.rounds} ${kind} ${name}: ${Math.round(rate)}/s, ${Math.round(cpuUs)} µs CPU/request`),
    })
    // Requests per CPU-second of the server process: lib/stats.mjs's row() makes the per-CPU ratio of it.
    const withCpuRate = (results) => results.map((r) => ({ ...r, cpuRate: 1_000_000 / r.cpuUs }))
    const rows = Object.entries(FILED_ROWS).flatMap(([kind, names]) => {
      const filed = withCpuRate(samples[kind].filed)
      return [row(names.filed, filed, filed), row(names.current, withCpuRate(samples[kind].current), filed)]
    })
    const load = spread(loads)
    return {
      ...section,
      intro:
        `The server as issue 17 was filed (\`${FILED}\`, its own locked dependencies, built in bench/.cache/, ${prepared}) and this build, ` +
        `each in a process of its own on SQLite, loaded in turn ${settings.filed.rounds} times after an unmeasured window of each case on each ` +
        '(the order of the two reversed every other round): token exchange by autocannon, refresh rotation by ' +
        `${CHAINS} chains. Ratios to ${FILED} round by round (load average ${load.min.toFixed(1)}–${load.max.toFixed(1)}); per CPU-second: ` +
        "requests per second of CPU time of each server's process. Target 4 of issue 17 reads the ratio by rate.",
      rows,
      data: { revision: FILED_REVISION, prepareSeconds: build.seconds, reused: build.reused, loads },
    }
  } catch (error) {
    return notMeasured(`the comparison with ${FILED} failed: ${String(error?.message ?? error).split('\n')[0]}`)
  } finally {
    for (const server of Object.values(servers)) await server.close()
  }
}

export async function run({ settings, loader, log }) {
  const sqliteRows = await tokenIssuance({ database: 'sqlite', settings, loader, log })
  const postgresRows = await tokenIssuance({ database: 'postgres', settings, loader, log })

  // Sign-in on SQLite, the default store.
  const server = await startTessera({ background: true })
  const { address, config } = server
  await signUpUser(address)
  log('sign-in')
  const signIn = JSON.stringify({ email: 'bench@example.com', password: PASSWORD, transport: 'bearer' })
  const sequential = []
  const loops = []
  for (let round = 0; round < settings.rounds; round++) {
    const latencies = []
    const loop = monitorEventLoopDelay({ resolution: 1 })
    loop.enable()
    const started = performance.now()
    for (let i = 0; i < settings.signIns; i++) {
      const t = performance.now()
      const response = await fetch(`${address}/v1/sign-in`, { method: 'POST', headers: json, body: signIn })
      await response.arrayBuffer()
      if (response.status !== 200) throw new Error(`sign-in failed: ${response.status}`)
      latencies.push(performance.now() - t)
    }
    loop.disable()
    latencies.sort((a, b) => a - b)
    const seconds = (performance.now() - started) / 1000
    sequential.push({ rate: settings.signIns / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) })
    loops.push({ rate: Number.NaN, p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6 })
  }
  // Concurrent sign-ins: the event-loop delay of the server (this process) while argon2 hashes.
  const concurrent = []
  const concurrentLoops = []
  for (let round = 0; round < settings.rounds; round++) {
    const loop = monitorEventLoopDelay({ resolution: 1 })
    loop.enable()
    concurrent.push(await loader.run(`${address}/v1/sign-in`, { method: 'POST', headers: json, body: signIn, connections: 8 }))
    loop.disable()
    concurrentLoops.push({ rate: Number.NaN, p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6 })
  }
  await server.close()
  const filed = await againstFiledBuild({ settings, loader, log })
  const { memoryCost, timeCost, parallelism } = config.argon2
  return [
    {
      id: 'issuance',
      title: '2a. Token issuance (SQLite, ES256)',
      intro:
        'POST /oauth/token with `client_secret_basic`, loaded by autocannon against Tessera in the bench process; refresh rotation by ' +
        `${CHAINS} chains in a child process (each request presents the token the previous one returned). Ratios to Tessera's /healthz in the same round.`,
      rows: sqliteRows,
      chart: true,
    },
    {
      id: 'issuance-postgres',
      title: '2c. Token issuance (PostgreSQL, ES256)',
      intro:
        'The same cases against a server on PostgreSQL (127.0.0.1, a schema of its own, the pool of 10 connections): each write transaction ' +
        "is a round trip to the database and its fsync. Ratios to that server's /healthz in the same round.",
      rows: postgresRows,
      chart: false,
    },
    {
      id: 'sign-in',
      title: `2b. Sign-in (argon2id m=${memoryCost} KiB, t=${timeCost}, p=${parallelism})`,
      intro:
        `POST /v1/sign-in: ${settings.signIns} one after another per round, then autocannon with 8 connections. ` +
        'The event-loop rows give the p50/p99 event-loop delay of the server process (ms) while it signs users in: argon2 runs off the loop.',
      unit: 'sign-ins/s',
      rows: [
        row('sign-in, one at a time', sequential, null),
        row('sign-in, 8 concurrent', concurrent, null),
        { ...row('event-loop delay, sign-ins one at a time', loops, null), rate: NONE },
        { ...row('event-loop delay, 8 concurrent sign-ins', concurrentLoops, null), rate: NONE },
      ],
      chart: false,
    },
    filed,
  ]
}
