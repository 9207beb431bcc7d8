import { describe, expect, it } from 'vitest'
import { type AdminHarness, adminHarness, expectProblem } from '../../test/admin-client.js'
import { freePort } from '../../test/e2e/free-port.js'
import { createApi, createClient, createUser, exchange, refresh, tokensFor } from '../../test/oauth-fixture.js'
import { PASSWORD, signIn, signUp } from '../../test/test-server.js'

type Labels = Record<string, string>

/** The value of one series of a Prometheus text exposition (exact label set), or undefined. */
function sample(text: string, name: string, labels: Labels = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const found: Labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]))
    const wanted = Object.entries(labels)
    if (wanted.length === Object.keys(found).length && wanted.every(([key, value]) => found[key] === value)) return Number(match[3])
  }
  return undefined
}

async function scrape(admin: AdminHarness): Promise<string> {
  const response = await admin.server.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${admin.token}` } })
  expect(response.statusCode, response.body).toBe(200)
  return response.body
}

/** Scrapes before and after `act`, and returns how much each named series moved. */
async function moved(admin: AdminHarness, act: () => Promise<void>, series: [string, Labels][]): Promise<number[]> {
  const before = await scrape(admin)
  await act()
  const after = await scrape(admin)
  return series.map(([name, labels]) => (sample(after, name, labels) ?? Number.NaN) - (sample(before, name, labels) ?? 0))
}

describe('GET /metrics on the main port', () => {
  it('needs an admin token with admin:read: 401 without one, 403 with admin:write only, 200 with admin:read', async ({
    onTestFinished,
  }) => {
    const admin = await adminHarness(onTestFinished)
    const url = '/metrics'
    const bare = await admin.server.app.inject({ method: 'GET', url })
    expectProblem(bare, 401, 'unauthenticated')
    expect(bare.headers['www-authenticate']).toBe('Bearer realm="tessera-admin"')
    expect(bare.body).not.toContain('tessera_')

    const garbage = await admin.server.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer nope' } })
    expectProblem(garbage, 401, 'invalid_token')

    const writeOnly = await admin.tokenWith('admin:write')
    const forbidden = await admin.server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${writeOnly}` } })
    expectProblem(forbidden, 403, 'insufficient_scope')
    expect(forbidden.headers['www-authenticate']).toContain('scope="admin:read"')

    const readOnly = await admin.tokenWith('admin:read')
    const ok = await admin.server.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${readOnly}` } })
    expect(ok.statusCode).toBe(200)
    expect(ok.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(ok.headers['cache-control']).toBe('no-store')
    for (const name of ['tessera_http_request_duration_seconds', 'tessera_sign_ins_total', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(ok.body).toContain(`# TYPE ${name}`)
    }
  })

  it('labels requests by route pattern and status, never by the raw URL', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    await admin.call('GET', '/users/usr_doesnotexist')
    await admin.server.app.inject({ method: 'GET', url: '/no/such/path-4f1d2c' })
    const text = await scrape(admin)
    const count = 'tessera_http_request_duration_seconds_count'
    expect(sample(text, count, { method: 'GET', route: '/admin/v1/users/:userId', status: '404' })).toBe(1)
    expect(sample(text, count, { method: 'GET', route: '(unmatched)', status: '404' })).toBe(1)
    expect(text).not.toContain('usr_doesnotexist')
    expect(text).not.toContain('path-4f1d2c')
    expect(sample(text, 'tessera_http_errors_total', { code: 'not_found' })).toBeGreaterThanOrEqual(1)
  })

  it('counts sign-ins by outcome', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    await signUp(admin.server.app, 'ann@example.com')
    const [succeeded, failed] = await moved(admin, async () => {
      expect((await signIn(admin.server.app, 'ann@example.com', PASSWORD)).response.statusCode).toBe(200)
      expect((await signIn(admin.server.app, 'ann@example.com', 'wrong horse battery staple')).response.statusCode).toBe(401)
      expect((await signIn(admin.server.app, 'nobody@example.com', 'wrong horse battery staple')).response.statusCode).toBe(401)
    }, [
      ['tessera_sign_ins_total', { outcome: 'succeeded' }],
      ['tessera_sign_ins_total', { outcome: 'failed' }],
    ])
    expect([succeeded, failed]).toEqual([1, 2])
  })

  it('counts tokens issued by grant, refresh reuse, and the revocations it writes', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const server = admin.server
    await createApi(server)
    const client = await createClient(server)
    const user = await createUser(server)
    let initial = { refresh_token: '' }
    const [exchanged] = await moved(admin, async () => {
      initial = await tokensFor(server, client, user)
    }, [['tessera_tokens_issued_total', { grant: 'token_exchange' }]])
    expect(exchanged).toBe(1)

    const [refreshed, reused, accessRevoked] = await moved(admin, async () => {
      expect((await refresh(server, client, initial.refresh_token)).statusCode).toBe(200)
      server.clock.advance(server.tessera.config.tokens.refreshGracePeriod * 1000 + 1)
      expect((await refresh(server, client, initial.refresh_token)).statusCode).toBe(400)
    }, [
      ['tessera_tokens_issued_total', { grant: 'refresh_token' }],
      ['tessera_token_reuse_detected_total', { credential: 'refresh_token' }],
      ['tessera_revocations_written_total', { kind: 'access_token' }],
    ])
    // One rotation issued; the replay revoked the family and both access tokens it had issued.
    expect([refreshed, reused, accessRevoked]).toEqual([1, 1, 2])

    const [failedExchange] = await moved(admin, async () => {
      expect((await exchange(server, client, 'not-a-session')).statusCode).toBe(400)
    }, [['tessera_tokens_issued_total', { grant: 'token_exchange' }]])
    expect(failedExchange).toBe(0)
  })

  it('counts a session revocation when the user signs out', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const { token } = await signUp(admin.server.app, 'ann@example.com', { transport: 'bearer' })
    const [sessions] = await moved(admin, async () => {
      const out = await admin.server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization: `Bearer ${token}` } })
      expect(out.statusCode, out.body).toBe(204)
    }, [['tessera_revocations_written_total', { kind: 'session' }]])
    expect(sessions).toBe(1)
  })

  it('reports the revocation feed, the webhook backlog and, on PostgreSQL, the pool', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished, 'postgres')
    const text = await scrape(admin)
    expect(sample(text, 'tessera_revocation_feed_subscribers')).toBe(0)
    expect(sample(text, 'tessera_webhook_backlog')).toBe(0)
    expect(sample(text, 'tessera_webhook_oldest_pending_age_seconds')).toBe(0)
    expect(sample(text, 'tessera_database_pool_max')).toBe(10)
    const idle = sample(text, 'tessera_database_pool_connections', { state: 'idle' }) ?? -1
    const busy = sample(text, 'tessera_database_pool_connections', { state: 'busy' }) ?? -1
    expect(idle + busy).toBeGreaterThan(0)
    expect(sample(text, 'tessera_database_pool_waiting')).toBeGreaterThanOrEqual(0)
    expect(sample(text, 'tessera_database_errors_total', { source: 'pool' })).toBe(0)
  })
})

describe('the email queue on /metrics', () => {
  it('reports pending deliveries and the age of the oldest, attempts by outcome, and deliveries given up on', async ({
    onTestFinished,
  }) => {
    const admin = await adminHarness(onTestFinished)
    const { tessera, clock } = admin.server
    const dispatcher = tessera.email.dispatcher
    if (!dispatcher) throw new Error('the test server sends email to its development outbox')
    let text = await scrape(admin)
    expect([sample(text, 'tessera_email_backlog'), sample(text, 'tessera_email_oldest_pending_age_seconds')]).toEqual([0, 0])
    expect(sample(text, 'tessera_email_failed_deliveries')).toBe(0)

    // A sign-up asks for a verification email: queued by the fan-out, not yet attempted.
    const signedUp = await signUp(admin.server.app, 'queued@example.com')
    expect(signedUp.response.statusCode, signedUp.response.body).toBe(201)
    await dispatcher.fanOut()
    clock.advance(90_000)
    text = await scrape(admin)
    expect(sample(text, 'tessera_email_backlog')).toBe(1)
    expect(sample(text, 'tessera_email_oldest_pending_age_seconds')).toBe(90)

    const [sent, failed] = await moved(admin, async () => void (await dispatcher.tick()), [
      ['tessera_email_attempts_total', { outcome: 'sent' }],
      ['tessera_email_attempts_total', { outcome: 'failed' }],
    ])
    expect([sent, failed]).toEqual([1, 0])
    text = await scrape(admin)
    expect([sample(text, 'tessera_email_backlog'), sample(text, 'tessera_email_oldest_pending_age_seconds')]).toEqual([0, 0])

    // A delivery the dispatcher gave up on shows as failed until housekeeping drops it.
    await tessera.database.db.updateTable('email_deliveries').set({ status: 'failed' }).execute()
    expect(sample(await scrape(admin), 'tessera_email_failed_deliveries')).toBe(1)
  })
})

describe('housekeeping on /metrics', () => {
  it('counts the rows it purged by table, its runs by outcome, and when it last ran', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const { app, tessera, clock } = admin.server
    const { token } = await signUp(app, 'gone@example.com', { transport: 'bearer' })
    await app.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization: `Bearer ${token}` } })
    expect(sample(await scrape(admin), 'tessera_housekeeping_last_run_timestamp_seconds')).toBe(0)
    // Past the horizon of the signed-out session: the longest access-token lifetime and the skew allowance.
    const before = await scrape(admin)
    clock.advance(tessera.config.tokens.maxAccessTokenTtl * 1000 + 6 * 60_000)
    await tessera.housekeeping.run()
    // The harness's admin token expired with the clock's move: a fresh one.
    const fresh = { ...admin, token: await admin.tokenWith('admin:read') }
    const after = await scrape(fresh)
    const delta = (name: string, labels: Record<string, string>) =>
      (sample(after, name, labels) ?? Number.NaN) - (sample(before, name, labels) ?? 0)
    expect(delta('tessera_housekeeping_purged_rows_total', { table: 'sessions' })).toBe(1)
    expect(delta('tessera_housekeeping_runs_total', { outcome: 'complete' })).toBe(1)
    expect(sample(after, 'tessera_housekeeping_last_run_timestamp_seconds')).toBe(clock.now() / 1000)
  })
})

describe('the plain metrics port', () => {
  it('is off by default', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    expect(admin.server.tessera.config.metrics.port).toBe(0)
    expect(await admin.server.tessera.startMetricsServer()).toBeNull()
  })

  it('serves GET /metrics without a token on its own host and port, and nothing else', async ({ onTestFinished }) => {
    const port = await freePort()
    const admin = await adminHarness(onTestFinished, 'sqlite', { metrics: { port, host: '127.0.0.1' } })
    const started = await admin.server.tessera.startMetricsServer()
    expect(started?.address).toBe(`http://127.0.0.1:${port}`)
    await signUp(admin.server.app, 'ann@example.com')
    await signIn(admin.server.app, 'ann@example.com')

    const response = await fetch(`http://127.0.0.1:${port}/metrics`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    expect(sample(text, 'tessera_sign_ins_total', { outcome: 'succeeded' })).toBe(1)
    expect((await fetch(`http://127.0.0.1:${port}/admin/v1/users`)).status).toBe(404)
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(405)
    // The main port still asks for a token.
    expect((await admin.server.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401)
  })
})
