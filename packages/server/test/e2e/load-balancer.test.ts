import { rmSync } from 'node:fs'
import { isTesseraAuthError } from '@tessera/sdk'
import pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { createTessera } from '../../src/app/tessera.js'
import { loadConfig } from '../../src/config/load-config.js'
import { type Client, createApi, createClient } from '../oauth-fixture.js'
import { sharedSourcePasswordEstimator } from '../password-estimator.js'
import { createTestDatabase, TEST_POSTGRES_URL, testTempDir } from '../test-database.js'
import { type Answer, call, form, jsonPost, recorder } from './balancer-client.js'
import { instanceEnv, masterKey, PASSWORD, stopAll, until } from './fault-harness.js'
import { freePort } from './free-port.js'
import { type Balancer, retriedRequests, startHaproxy } from './haproxy.js'
import { hybridVerifier, recordingFetch } from './hybrid-verifier.js'
import { type PrivateRedis, startPrivateRedis } from './private-redis.js'
import { killTessera, type RunningTessera, startTessera, stopTessera } from './tessera-process.js'

// Issue 18 part 2: three real Tessera processes on one PostgreSQL and one Redis behind HAProxy,
// under a mixed load through the balancer; the instance serving a hybrid verifier's revocation
// feed is killed with SIGKILL, then started again.

const API = 'https://orders.example.test'
/** By this long after the kill, HAProxy's checks (200 ms apart) have long taken the instance out. */
const RECOVERED_MS = 3_000

let cleanups: (() => Promise<unknown> | unknown)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups = []
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
  it('survives SIGKILL of the instance serving the feed: no request lost, no refresh redeemed twice, every revocation reaches the verifier', async () => {
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
    const exchangeOf = (sessionToken: string) =>
      form(web, {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: sessionToken,
        subject_token_type: 'urn:tessera:token-type:session',
        resource: API,
      })
    const chains = await Promise.all(
      sessionTokens.map(async (token) => {
        const { status, body } = await call(`${lb}/oauth/token`, exchangeOf(token))
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
    const send = recorder(answers)
    const lanes = [
      ...sessionTokens.map(async (token, lane) => {
        while (!stopped) await send(`session ${lane}`, 'session', `${lb}/v1/session`, { headers: { authorization: `Bearer ${token}` } })
      }),
      ...chains.map(async (first, lane) => {
        let current = first
        while (!stopped) {
          const refreshed = form(web, { grant_type: 'refresh_token', refresh_token: current })
          const { status, body } = await send(`refresh ${lane}`, 'refresh', `${lb}/oauth/token`, refreshed)
          // A lost answer is retried with the same token: within the grace period it gets the same successor.
          if (status === 200) current = body.refresh_token as string
          else if (status === 400) {
            reuse += 1
            return
          }
        }
      }),
      (async () => {
        const signIn = jsonPost({ email: 'signer@example.com', password: PASSWORD, transport: 'bearer' })
        while (!stopped) await send('sign-in', 'sign_in', `${lb}/v1/sign-in`, signIn)
      })(),
      (async () => {
        while (!stopped) {
          const signIn = jsonPost({ email: 'revoker@example.com', password: PASSWORD, transport: 'bearer' })
          const signedIn = await send('revoker', 'revoke', `${lb}/v1/sign-in`, signIn)
          if (signedIn.status !== 200) continue
          const session = signedIn.body.session as { token: string; id: string }
          // Every attempt is recorded: a failed one counts as an error like any other.
          let issued = await send('revoker', 'revoke', `${lb}/oauth/token`, exchangeOf(session.token))
          while (issued.status !== 200 && !stopped) issued = await send('revoker', 'revoke', `${lb}/oauth/token`, exchangeOf(session.token))
          if (issued.status !== 200) return
          const token = issued.body.access_token as string
          expect((await verifier.verify(token)).sessionId).toBe(session.id)
          // A sign-out whose answer was lost is sent again: 401 then means the first one committed.
          for (let first = true; ; first = false) {
            const out = await send('revoker', 'revoke', `${lb}/v1/sign-out`, {
              method: 'POST',
              headers: { authorization: `Bearer ${session.token}` },
            })
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
      const logAtKill = balancer.output().length
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
      const logAtTerm = balancer.output().length
      // SIGTERM (SIGKILL after 5 s, which fails the test below).
      const rolledExit = await stopTessera(instances[rolled] as RunningTessera)
      instances[rolled] = await startTessera(envOf(rolled), { host: '127.0.0.1', port: (instances[rolled] as RunningTessera).port })
      const afterRoll = answers.length
      await wait('load served after the rolling restart', () => answers.length >= afterRoll + 50)
      stopped = true
      await running

      // Not one request lost to the kill, POSTs included. A SIGKILLed instance's sockets stay open
      // while the kernel frees its memory (do_exit() runs exit_mm() before exit_files(): 75-175 ms
      // here), so HAProxy goes on writing requests to it on kept-alive connections, and even opens
      // new ones, until the sockets are reset; with `retry-on conn-failure empty-response`
      // (haproxy.ts) it sends those, and the requests that were in flight there, to another
      // instance. Without it each lane lost its request in flight and could lose the next ones
      // (4-6 errors for 8 lanes in five runs, up to 2 in a lane), which HAProxy answers by closing
      // the client's connection (status 0). A refresh sent again is safe: within the grace period
      // it gets the same successor, as the checks of reuse below show.
      const errors = answers.filter((answer) => answer.status !== 200 && answer.status !== 201 && answer.status !== 204)
      const unexpected = errors.filter((error) => !(error.kind === 'revoke' && error.status === 401) && error.at < termAt)
      const duringRoll = errors.filter((error) => !(error.kind === 'revoke' && error.status === 401) && error.at >= termAt)
      const relative = (list: Answer[], to: number) => JSON.stringify(list.map((e) => ({ ...e, sentAt: e.sentAt - to, at: e.at - to })))
      expect(unexpected, `${relative(unexpected, killedAt)}\n${balancer.output().slice(logAtKill, logAtTerm)}`).toEqual([])
      expect(answers.filter((answer) => answer.at > killedAt + RECOVERED_MS).length).toBeGreaterThan(50)
      // The graceful restart costs no request: /readyz fails for http.shutdownDelay while the
      // instance still serves, HAProxy's checks take it out, and only then does it stop.
      expect(duringRoll, relative(duringRoll, termAt)).toEqual([])
      expect(rolledExit).toEqual({ code: 0, signal: null })
      const retried = retriedRequests(balancer.output().slice(logAtKill, logAtTerm)).reduce<Record<string, number>>((counts, request) => {
        counts[request] = (counts[request] ?? 0) + 1
        return counts
      }, {})
      // The figures docs/operations.md quotes; printed with the test's output.
      process.stdout.write(
        `load balancer: ${answers.length} answers, ${revoked.length} revocations; after SIGKILL ${unexpected.length} errors, ` +
          `HAProxy sent again to another instance ${
            Object.entries(retried)
              .map(([what, n]) => `${n}× ${what}`)
              .join(', ') || 'nothing'
          }; ` +
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
