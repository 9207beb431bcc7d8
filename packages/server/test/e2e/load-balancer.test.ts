import { rmSync } from 'node:fs'
import { isTesseraAuthError } from '@tessera/sdk'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { createTessera } from '../../src/app/tessera.js'
import { loadConfig } from '../../src/config/load-config.js'
import { basic, type Client, createApi, createClient } from '../oauth-fixture.js'
import { sharedSourcePasswordEstimator } from '../password-estimator.js'
import { createTestDatabase, TEST_POSTGRES_URL, testTempDir } from '../test-database.js'
import { instanceEnv, masterKey, PASSWORD, stopAll, until } from './fault-harness.js'
import { freePort } from './free-port.js'
import { type Balancer, startHaproxy } from './haproxy.js'
import { hybridVerifier, recordingFetch } from './hybrid-verifier.js'
import { type PrivateRedis, startPrivateRedis } from './private-redis.js'
import { killTessera, type RunningTessera, startTessera, stopTessera } from './tessera-process.js'

// Issue 18 part 2: three real Tessera processes on one PostgreSQL and one Redis behind HAProxy,
// under a mixed load through the balancer; the instance serving a hybrid verifier's revocation
// feed is killed with SIGKILL, then started again.

const API = 'https://orders.example.test'
/** After the kill, errors may last this long (in-flight requests, then HAProxy's health checks take the instance out). */
const ERROR_BURST_MS = 3_000

interface Answer {
  kind: 'sign_in' | 'session' | 'refresh' | 'revoke'
  /** Which lane of the load sent the request. */
  lane: string
  status: number
  /** When the answer arrived (Date.now()). */
  at: number
}

let cleanups: (() => Promise<unknown> | unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups = []
})

/**
 * A request through the balancer; status 0 when no HTTP answer came at all. No deadline of its own:
 * a client that gave up after 10 s counted a slow answer under heavy load as lost (a sign-up of the
 * set-up, status 0), and a refresh it gave up on still committed, so its retry could come past the
 * 5 s grace period and be taken for a reuse. A lost answer is a connection HAProxy closes when its
 * instance dies; HAProxy's `timeout server` (30 s) answers 504 for one that hangs.
 */
async function call(url: string, init: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    const response = await fetch(url, init)
    const text = await response.text()
    let body: Record<string, unknown> = {}
    try {
      body = JSON.parse(text) as Record<string, unknown>
    } catch {
      // HAProxy's own error pages are HTML
    }
    return { status: response.status, body }
  } catch {
    // HAProxy closes the client's connection when the instance dies with its request in flight
    return { status: 0, body: {} }
  }
}

const jsonPost = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

const form = (client: Client, params: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
  body: new URLSearchParams(params).toString(),
})

/** The instance whose plain metrics port reports an open revocation-feed stream. */
async function feedInstance(metricsPorts: number[]): Promise<number> {
  for (const [index, port] of metricsPorts.entries()) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    if (/^tessera_revocation_feed_subscribers 1$/m.test(text)) return index
  }
  return -1
}

describe('three instances behind HAProxy (issue 18 part 2)', () => {
  it('survives SIGKILL of the instance serving the feed: a short burst of errors, no 500, no refresh redeemed twice, every revocation reaches the verifier', async () => {
    const database = createTestDatabase('postgres')
    cleanups.push(() => database.drop())
    const redis: PrivateRedis = await startPrivateRedis()
    cleanups.push(() => redis.destroy())
    const dataDir = testTempDir('tessera-lb-')
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const key = masterKey()
    const lbPort = await freePort()
    const issuer = `http://127.0.0.1:${lbPort}`

    // Set-up in-process on the shared database: a hybrid API, a web client, the API's resource server.
    const setup = await createTessera(
      loadConfig({ env: {}, overrides: { databaseUrl: database.url, masterKey: key, dataDir, issuer, logLevel: 'silent' } }),
      { passwordEstimator: sharedSourcePasswordEstimator() },
    )
    let web: Client
    let rs: Client
    try {
      await createApi({ tessera: setup }, API, 'hybrid', ['orders:read'])
      web = await createClient({ tessera: setup }, { apis: [API], scopes: [] })
      rs = await createClient({ tessera: setup }, { type: 'resource-server', apis: [API], scopes: [] })
    } finally {
      await setup.close()
    }

    const metricsPorts = [await freePort(), await freePort(), await freePort()]
    const envOf = (n: number) =>
      instanceEnv(database.url, {
        TESSERA_DATA_DIR: dataDir,
        TESSERA_MASTER_KEY: key,
        TESSERA_REDIS_URL: redis.url,
        TESSERA_ISSUER: issuer,
        TESSERA_METRICS_PORT: String(metricsPorts[n]),
        // Above HAProxy's detection (two failed checks 200 ms apart).
        TESSERA_HTTP_SHUTDOWN_DELAY: '1',
      })
    const instances: RunningTessera[] = []
    cleanups.push(() => stopAll(instances))
    // Started together: the set-up above ran the migrations. Each is kept once it is ready, so when
    // one start fails the clean-up stops the others (they were left running before).
    await Promise.all(
      [0, 1, 2].map(async (n) => {
        instances[n] = await startTessera(envOf(n), { host: '127.0.0.1' })
      }),
    )
    const balancer: Balancer = await startHaproxy(
      lbPort,
      instances.map((instance, n) => ({ name: `t${n}`, port: instance.port })),
    )
    cleanups.push(() => balancer.stop())
    const lb = balancer.base

    // Users, sessions and refresh chains for the load, all through the balancer.
    const signUp = async (email: string) => {
      const { status, body } = await call(`${lb}/v1/sign-up`, jsonPost({ email, password: PASSWORD, transport: 'bearer' }))
      expect(status).toBe(201)
      return (body.session as { token: string; id: string }).token
    }
    const sessionTokens = await Promise.all(['s1', 's2', 's3'].map((name) => signUp(`${name}@example.com`)))
    await signUp('signer@example.com')
    await signUp('revoker@example.com')
    const exchange = (sessionToken: string) =>
      call(
        `${lb}/oauth/token`,
        form(web, {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: sessionToken,
          subject_token_type: 'urn:tessera:token-type:session',
          resource: API,
        }),
      )
    const chains = await Promise.all(
      sessionTokens.map(async (token) => {
        const { status, body } = await exchange(token)
        expect(status).toBe(200)
        return body.refresh_token as string
      }),
    )

    const feed = recordingFetch()
    const verifier = hybridVerifier(issuer, API, { id: rs.id, secret: rs.secret as string }, { fetch: feed.fetch })
    cleanups.unshift(() => verifier.close())
    await verifier.ready()

    // The mixed load: session checks, refresh rotations, sign-ins, and a revoker that signs in,
    // gets an access token the verifier accepts, and signs out.
    const answers: Answer[] = []
    const revoked: { sid: string; token: string }[] = []
    let reuse = 0
    let stopped = false
    const record = (lane: string, kind: Answer['kind'], status: number) => answers.push({ lane, kind, status, at: Date.now() })
    const lanes = [
      ...sessionTokens.map(async (token, lane) => {
        while (!stopped) {
          const { status } = await call(`${lb}/v1/session`, { headers: { authorization: `Bearer ${token}` } })
          record(`session ${lane}`, 'session', status)
        }
      }),
      ...chains.map(async (first, lane) => {
        let current = first
        while (!stopped) {
          const { status, body } = await call(`${lb}/oauth/token`, form(web, { grant_type: 'refresh_token', refresh_token: current }))
          record(`refresh ${lane}`, 'refresh', status)
          // A lost answer is retried with the same token: within the grace period it gets the same successor.
          if (status === 200) current = body.refresh_token as string
          else if (status === 400) {
            reuse += 1
            return
          }
        }
      }),
      (async () => {
        while (!stopped) {
          const { status } = await call(
            `${lb}/v1/sign-in`,
            jsonPost({ email: 'signer@example.com', password: PASSWORD, transport: 'bearer' }),
          )
          record('sign-in', 'sign_in', status)
        }
      })(),
      (async () => {
        while (!stopped) {
          const signedIn = await call(
            `${lb}/v1/sign-in`,
            jsonPost({ email: 'revoker@example.com', password: PASSWORD, transport: 'bearer' }),
          )
          record('revoker', 'revoke', signedIn.status)
          if (signedIn.status !== 200) continue
          const session = signedIn.body.session as { token: string; id: string }
          let issued = await exchange(session.token)
          record('revoker', 'revoke', issued.status)
          while (issued.status !== 200 && !stopped) issued = await exchange(session.token)
          if (issued.status !== 200) return
          const token = issued.body.access_token as string
          expect((await verifier.verify(token)).sessionId).toBe(session.id)
          // A sign-out whose answer was lost is sent again: 401 then means the first one committed.
          for (let first = true; ; first = false) {
            const out = await call(`${lb}/v1/sign-out`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` } })
            record('revoker', 'revoke', out.status)
            if (out.status === 204 || (out.status === 401 && !first)) break
          }
          revoked.push({ sid: session.id, token })
        }
      })(),
    ]
    const running = Promise.all(lanes)
    const wait = (what: string, condition: () => boolean, ms = 15_000) => until(condition, ms, what, () => balancer.output())

    try {
      await wait('three revocations before the kill', () => revoked.length >= 3)
      const victim = await feedInstance(metricsPorts)
      expect(victim).toBeGreaterThanOrEqual(0)
      const cursor = feed.connections.at(-1)?.events.findLast((event) => event.event === 'revocation')?.id
      const beforeKill = revoked.length
      const connectionsBefore = feed.connections.length
      const killedAt = Date.now()
      await killTessera(instances[victim] as RunningTessera)

      // The verifier reconnects through the balancer to another instance while revocations go on.
      await wait('revocations after the kill', () => revoked.length >= beforeKill + 3)
      await wait('the feed reconnected', () => feed.connections.slice(connectionsBefore).some((c) => c.status === 200))
      const reconnectedMs = Date.now() - killedAt
      const restarted = await startTessera(envOf(victim), { host: '127.0.0.1', port: (instances[victim] as RunningTessera).port })
      instances[victim] = restarted
      const afterRestart = answers.length
      await wait('load served after the restart', () => answers.length >= afterRestart + 50 && revoked.length >= beforeKill + 5)

      // A rolling restart of another instance: SIGTERM drains it, HAProxy's checks take it out.
      const rolled = (victim + 1) % 3
      const termAt = Date.now()
      // SIGTERM (SIGKILL after 5 s, which fails the test below).
      const rolledExit = await stopTessera(instances[rolled] as RunningTessera)
      instances[rolled] = await startTessera(envOf(rolled), { host: '127.0.0.1', port: (instances[rolled] as RunningTessera).port })
      const afterRoll = answers.length
      await wait('load served after the rolling restart', () => answers.length >= afterRoll + 50)
      stopped = true
      await running

      // At most a short burst of errors right after the kill, then only successes; never a 500.
      const errors = answers.filter((answer) => answer.status !== 200 && answer.status !== 201 && answer.status !== 204)
      const unexpected = errors.filter((error) => !(error.kind === 'revoke' && error.status === 401) && error.at < termAt)
      const duringRoll = errors.filter((error) => !(error.kind === 'revoke' && error.status === 401) && error.at >= termAt)
      expect(
        unexpected.every((error) => error.at >= killedAt && error.at <= killedAt + ERROR_BURST_MS),
        JSON.stringify(unexpected.map((error) => ({ ...error, at: error.at - killedAt }))),
      ).toBe(true)
      expect(unexpected.filter((error) => error.status === 500)).toEqual([])
      // Each lane loses its request in flight on the killed instance, and may lose the one after it:
      // requests sent after the kill fail too for a few hundred ms (the last error 225-290 ms after
      // it in four runs on a loaded 2-core machine; 7-8 errors for 8 lanes there, 9 in one CI run).
      // Not proven why; likely the dying process's listener still completes handshakes while the
      // kernel tears the process down, so HAProxy's connect succeeds and its request cannot be
      // retried. The window itself, no 500 and the recovery are checked above and below.
      const perLane = unexpected.reduce<Record<string, number>>((counts, error) => {
        counts[error.lane] = (counts[error.lane] ?? 0) + 1
        return counts
      }, {})
      expect(
        Object.values(perLane).every((n) => n <= 2),
        JSON.stringify(perLane),
      ).toBe(true)
      expect(answers.filter((answer) => answer.at > killedAt + ERROR_BURST_MS).length).toBeGreaterThan(50)
      // The graceful restart costs no request: /readyz fails for http.shutdownDelay while the
      // instance still serves, HAProxy's checks take it out, and only then does it stop.
      expect(duringRoll, JSON.stringify(duringRoll.map((error) => ({ ...error, at: error.at - termAt })))).toEqual([])
      expect(rolledExit).toEqual({ code: 0, signal: null })
      const byStatus = Object.entries(
        unexpected.reduce<Record<string, number>>((counts, error) => {
          counts[`${error.kind} ${error.status}`] = (counts[`${error.kind} ${error.status}`] ?? 0) + 1
          return counts
        }, {}),
      )
      const lastError = Math.max(killedAt, ...unexpected.map((error) => error.at)) - killedAt
      // The figures docs/operations.md quotes; printed with the test's output.
      process.stdout.write(
        `load balancer: ${answers.length} answers, ${revoked.length} revocations; after SIGKILL ${unexpected.length} errors ` +
          `(${byStatus.map(([what, n]) => `${n}× ${what}`).join(', ') || 'none'}), the last ${lastError} ms after it; ` +
          `feed back through the balancer ${reconnectedMs} ms after it; ${duringRoll.length} errors during a rolling restart of another ` +
          `(${answers.filter((answer) => answer.at >= termAt).length} answers; it exited with ${JSON.stringify(rolledExit)})\n`,
      )

      // No refresh token redeemed twice: no chain met invalid_grant, and the database revoked no family.
      expect(reuse).toBe(0)
      const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL })
      await admin.connect()
      try {
        const schema = new URL(database.url).searchParams.get('schema') as string
        const { rows } = await admin.query(`select count(*)::int as n from ${schema}.refresh_tokens where revoked_at is not null`)
        expect(rows[0].n).toBe(0)
      } finally {
        await admin.end()
      }

      // Every revocation reaches the verifier, those made while its feed was down included.
      for (const { token } of revoked) {
        await until(
          () =>
            verifier.verify(token).then(
              () => false,
              (error: unknown) => isTesseraAuthError(error) && error.code === 'token_revoked',
            ),
          5_000,
          `token of a revoked session refused by the verifier`,
        )
      }
      const delivered = new Set(feed.connections.flatMap((c) => c.events.filter((e) => e.event === 'revocation').map((e) => e.data.sid)))
      expect(revoked.filter(({ sid }) => !delivered.has(sid))).toEqual([])
      // Resumed from its cursor, not restarted: the reconnection sent the last id it had, and got no snapshot.
      const resumed = feed.connections.slice(connectionsBefore).filter((c) => c.status === 200)
      expect(resumed[0]?.lastEventId).toBe(
        feed.connections
          .slice(0, connectionsBefore)
          .flatMap((c) => c.events)
          .findLast((e) => e.id !== undefined)?.id ?? cursor,
      )
      expect(resumed.flatMap((c) => c.events).filter((e) => e.event === 'snapshot')).toEqual([])
    } finally {
      stopped = true
      await running
    }
  }, 120_000)
})
