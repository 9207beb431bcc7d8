import { describe, expect, it, type TestContext } from 'vitest'
import { DIALECTS } from '../../test/test-database.js'
import { createTestServer, ORIGIN, PASSWORD, signIn, signUp, type TestServer, type TestServerOptions } from '../../test/test-server.js'

const WRONG = 'wrong horse battery staple'
const THROTTLE = { signIn: { freeFailures: 3, backoffBase: 30, backoffMax: 900 } }

async function countRows(server: TestServer, table: 'users' | 'sessions' | 'event_outbox'): Promise<number> {
  const row = await server.tessera.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

function post(server: TestServer, url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  return server.app.inject({ method: 'POST', url, payload, headers })
}

function attempt(server: TestServer, email: string, password: string, headers: Record<string, string> = {}) {
  return post(server, '/v1/sign-in', { email, password }, headers)
}

for (const dialect of DIALECTS) {
  // Concurrent: each test has a server of its own (its clock, its throttles, its log), closed when that test finishes.
  describe.concurrent(`credential abuse on ${dialect}`, () => {
    const start = async (onTestFinished: TestContext['onTestFinished'], options: Omit<TestServerOptions, 'dialect'> = {}) => {
      const server = await createTestServer({ dialect, ...options })
      onTestFinished(() => server.close())
      return server
    }

    describe('account enumeration', () => {
      it('answers an unknown email and a wrong password with the same status, headers and body', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await signUp(server.app, 'ann@example.com')
        // The same request id on both, so the bodies may be compared whole (the id is echoed in them).
        const sameId = { 'x-request-id': 'enumeration-probe' }
        const wrong = await attempt(server, 'ann@example.com', WRONG, sameId)
        const unknown = await attempt(server, 'nobody@example.com', WRONG, sameId)
        expect(wrong.statusCode).toBe(401)
        expect(unknown.statusCode).toBe(401)
        expect(wrong.json().code).toBe('invalid_credentials')
        expect(unknown.json()).toEqual(wrong.json())
        expect(unknown.body).toBe(wrong.body)
        for (const header of ['content-type', 'www-authenticate', 'set-cookie', 'retry-after', 'cache-control']) {
          expect(unknown.headers[header]).toEqual(wrong.headers[header])
        }
      })
    })

    describe('per-account throttling', () => {
      it('locks an account after the free failures, even for the right password, with Retry-After', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: THROTTLE })
        await signUp(server.app, 'ann@example.com')
        for (let i = 0; i < 3; i++) expect((await attempt(server, 'ann@example.com', WRONG)).statusCode).toBe(401)
        const locked = await attempt(server, 'ann@example.com', PASSWORD)
        expect(locked.statusCode).toBe(429)
        expect(locked.json().code).toBe('too_many_attempts')
        expect(locked.headers['retry-after']).toMatch(/^\d+$/)
        expect(Number(locked.headers['retry-after'])).toBe(30)
        expect(locked.headers['set-cookie']).toBeUndefined()
      })

      it('lets the right password in once the lock has passed, and resets the count', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: THROTTLE })
        await signUp(server.app, 'ann@example.com')
        for (let i = 0; i < 3; i++) await attempt(server, 'ann@example.com', WRONG)
        server.clock.advance(29_000)
        const stillLocked = await attempt(server, 'ann@example.com', PASSWORD)
        expect(stillLocked.statusCode).toBe(429)
        expect(Number(stillLocked.headers['retry-after'])).toBe(1)
        server.clock.advance(1_000)
        expect((await attempt(server, 'ann@example.com', PASSWORD)).statusCode).toBe(200)
        // The success reset the count: one new failure is an ordinary 401, and so is the next.
        const failure = await attempt(server, 'ann@example.com', WRONG)
        expect(failure.statusCode).toBe(401)
        expect(failure.json().code).toBe('invalid_credentials')
        expect((await attempt(server, 'ann@example.com', WRONG)).statusCode).toBe(401)
      })

      it('doubles the lock with each further failure, up to the maximum', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: { signIn: { freeFailures: 1, backoffBase: 30, backoffMax: 200 } } })
        await signUp(server.app, 'ann@example.com')
        const waits: number[] = []
        for (let i = 0; i < 5; i++) {
          expect((await attempt(server, 'ann@example.com', WRONG)).statusCode).toBe(401)
          const locked = await attempt(server, 'ann@example.com', WRONG)
          expect(locked.statusCode).toBe(429)
          const wait = Number(locked.headers['retry-after'])
          waits.push(wait)
          server.clock.advance(wait * 1000)
        }
        expect(waits).toEqual([30, 60, 120, 200, 200])
      })

      it('does not count throttled attempts as failures', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: THROTTLE })
        await signUp(server.app, 'ann@example.com')
        for (let i = 0; i < 3; i++) await attempt(server, 'ann@example.com', WRONG)
        for (let i = 0; i < 5; i++) expect((await attempt(server, 'ann@example.com', WRONG)).statusCode).toBe(429)
        server.clock.advance(30_000)
        expect((await attempt(server, 'ann@example.com', PASSWORD)).statusCode).toBe(200)
      })

      it('counts every one of concurrent failures, so parallel guessing does not shrink the count', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: { signIn: { freeFailures: 8, backoffBase: 30, backoffMax: 900 } } })
        await signUp(server.app, 'ann@example.com')
        const parallel = await Promise.all(Array.from({ length: 7 }, () => attempt(server, 'ann@example.com', WRONG)))
        expect(parallel.map((response) => response.statusCode)).toEqual(Array(7).fill(401))
        // The eighth failure reaches the free failures, so the right password is now locked out.
        expect((await attempt(server, 'ann@example.com', WRONG)).statusCode).toBe(401)
        const locked = await attempt(server, 'ann@example.com', PASSWORD)
        expect(locked.statusCode).toBe(429)
        expect(locked.json().code).toBe('too_many_attempts')
      })

      it('throttles an unknown email exactly like a known one, so the lock reveals nothing', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: THROTTLE })
        await signUp(server.app, 'ann@example.com')
        const known: number[] = []
        const unknown: number[] = []
        for (let i = 0; i < 4; i++) {
          known.push((await attempt(server, 'ann@example.com', WRONG)).statusCode)
          unknown.push((await attempt(server, 'nobody@example.com', WRONG)).statusCode)
        }
        expect(known).toEqual([401, 401, 401, 429])
        expect(unknown).toEqual(known)
        const sameId = { 'x-request-id': 'enumeration-probe' }
        const lockedKnown = await attempt(server, 'ann@example.com', WRONG, sameId)
        const lockedUnknown = await attempt(server, 'nobody@example.com', WRONG, sameId)
        expect(lockedUnknown.body).toBe(lockedKnown.body)
        expect(lockedUnknown.headers['retry-after']).toBe(lockedKnown.headers['retry-after'])
      })

      it('keys the throttle on the normalised email, and on nothing wider than the account', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: THROTTLE })
        await signUp(server.app, 'ann@example.com')
        await signUp(server.app, 'ben@example.com')
        await attempt(server, 'ann@example.com', WRONG)
        await attempt(server, 'ANN@example.com', WRONG)
        await attempt(server, ' Ann@Example.COM ', WRONG)
        expect((await attempt(server, 'ann@example.com', PASSWORD)).statusCode).toBe(429)
        expect((await attempt(server, 'ben@example.com', PASSWORD)).statusCode).toBe(200)
      })

      it('writes failed and throttled sign-ins to the event outbox, without the password', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: THROTTLE })
        const { body } = await signUp(server.app, 'ann@example.com')
        for (let i = 0; i < 3; i++) await attempt(server, 'ann@example.com', WRONG, { 'user-agent': 'probe/1.0' })
        await attempt(server, 'ann@example.com', PASSWORD)
        await attempt(server, 'nobody@example.com', WRONG)
        const events = await server.tessera.stores.events.listAfter(0, 100)
        const signIns = events.filter((event) => event.type.startsWith('sign_in.'))
        // The third failure locks the account: a lockout event of its own (issue 5: lockout is audited).
        expect(signIns.map((event) => event.type)).toEqual([
          'sign_in.failed',
          'sign_in.failed',
          'sign_in.failed',
          'sign_in.locked_out',
          'sign_in.throttled',
          'sign_in.failed',
        ])
        expect(signIns.slice(0, 4).every((event) => event.userId === body.user?.id)).toBe(true)
        expect(signIns[2]).toMatchObject({ actor: { kind: 'anonymous' }, payload: { userAgent: 'probe/1.0' }, ip: '127.0.0.1' })
        expect(signIns[3]).toMatchObject({ actor: { kind: 'anonymous' }, payload: { failures: 3, lockedUntil: expect.any(Number) } })
        expect(signIns[5]?.userId).toBeNull()
        expect(JSON.stringify(events)).not.toContain(WRONG)
        expect(JSON.stringify(events)).not.toContain(PASSWORD)
      })
    })

    describe('per-IP rate limit', () => {
      it('answers the request past the limit with 429 rate_limited and Retry-After', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: { rateLimit: { credentialRequestsPerIp: 3 } } })
        for (let i = 0; i < 3; i++) expect((await attempt(server, `user${i}@example.com`, WRONG)).statusCode).toBe(401)
        const limited = await attempt(server, 'user3@example.com', WRONG)
        expect(limited.statusCode).toBe(429)
        expect(limited.json().code).toBe('rate_limited')
        expect(limited.headers['content-type']).toContain('application/problem+json')
        expect(limited.headers['retry-after']).toMatch(/^\d+$/)
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
      })

      it('counts sign-up and sign-in against one budget, and a limited sign-up writes nothing', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: { rateLimit: { credentialRequestsPerIp: 3 } } })
        expect((await post(server, '/v1/sign-up', { email: 'ann@example.com', password: PASSWORD })).statusCode).toBe(201)
        expect((await attempt(server, 'ann@example.com', WRONG)).statusCode).toBe(401)
        expect((await attempt(server, 'ann@example.com', WRONG)).statusCode).toBe(401)
        const users = await countRows(server, 'users')
        const limited = await post(server, '/v1/sign-up', { email: 'ben@example.com', password: PASSWORD })
        expect(limited.statusCode).toBe(429)
        expect(limited.json().code).toBe('rate_limited')
        expect((await attempt(server, 'ann@example.com', PASSWORD)).statusCode).toBe(429)
        expect(await countRows(server, 'users')).toBe(users)
      })

      it('ignores X-Forwarded-For when no proxy is trusted, so a spoofed header does not reset the budget', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: { rateLimit: { credentialRequestsPerIp: 3 } } })
        for (let i = 0; i < 3; i++) await attempt(server, 'ann@example.com', WRONG, { 'x-forwarded-for': `203.0.113.${i}` })
        const limited = await attempt(server, 'ann@example.com', WRONG, { 'x-forwarded-for': '203.0.113.99' })
        expect(limited.statusCode).toBe(429)
        expect(limited.json().code).toBe('rate_limited')
      })

      it('keeps one budget per client address', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: { rateLimit: { credentialRequestsPerIp: 3 } } })
        const from = (remoteAddress: string) =>
          server.app.inject({ method: 'POST', url: '/v1/sign-in', payload: { email: 'ann@example.com', password: WRONG }, remoteAddress })
        for (let i = 0; i < 3; i++) await from('198.51.100.1')
        expect((await from('198.51.100.1')).statusCode).toBe(429)
        expect((await from('198.51.100.2')).statusCode).toBe(401)
      })
    })

    describe('login CSRF', () => {
      const refusedHeaders: Record<string, string>[] = [
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { origin: 'https://id.example.test.evil.example' },
        { origin: 'http://id.example.test' },
        { 'sec-fetch-site': 'cross-site' },
        { 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' },
      ]

      it('refuses a cross-site sign-in with 403 csrf_rejected and sets no cookie', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await signUp(server.app, 'ann@example.com')
        for (const headers of refusedHeaders) {
          const response = await attempt(server, 'ann@example.com', PASSWORD, headers)
          expect(response.statusCode, JSON.stringify(headers)).toBe(403)
          expect(response.json().code).toBe('csrf_rejected')
          expect(response.headers['set-cookie']).toBeUndefined()
        }
        expect(await countRows(server, 'sessions')).toBe(1)
      })

      it('refuses a cross-site sign-up with 403 csrf_rejected and creates no account', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const eventsBefore = await countRows(server, 'event_outbox')
        for (const headers of refusedHeaders) {
          const response = await post(server, '/v1/sign-up', { email: 'ann@example.com', password: PASSWORD }, headers)
          expect(response.statusCode, JSON.stringify(headers)).toBe(403)
          expect(response.json().code).toBe('csrf_rejected')
        }
        expect(await server.tessera.stores.users.findByEmail('ann@example.com')).toBeNull()
        expect(await countRows(server, 'event_outbox')).toBe(eventsBefore)
      })

      it('allows the issuer origin, same-origin and user-initiated requests', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await signUp(server.app, 'ann@example.com', {})
        const allowed: Record<string, string>[] = [
          { origin: ORIGIN },
          { 'sec-fetch-site': 'same-origin' },
          { 'sec-fetch-site': 'none' },
          { 'sec-fetch-site': 'same-origin', origin: ORIGIN },
        ]
        for (const headers of allowed) {
          const response = await attempt(server, 'ann@example.com', PASSWORD, headers)
          expect(response.statusCode, JSON.stringify(headers)).toBe(200)
        }
        const signUpFromIssuer = await post(server, '/v1/sign-up', { email: 'ben@example.com', password: PASSWORD }, { origin: ORIGIN })
        expect(signUpFromIssuer.statusCode).toBe(201)
      })

      it('allows a configured extra origin', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: { http: { allowedOrigins: ['https://app.example.test'] } } })
        const up = await post(
          server,
          '/v1/sign-up',
          { email: 'ann@example.com', password: PASSWORD },
          { origin: 'https://app.example.test' },
        )
        expect(up.statusCode).toBe(201)
        expect((await attempt(server, 'ann@example.com', PASSWORD, { origin: 'https://app.example.test' })).statusCode).toBe(200)
        expect((await attempt(server, 'ann@example.com', PASSWORD, { origin: 'https://other.example.test' })).statusCode).toBe(403)
      })
    })

    describe('CSRF on cookie-authenticated state changes', () => {
      it('refuses a cross-site sign-out with the cookie, and the session stays valid', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const { cookieHeader } = await signUp(server.app, 'ann@example.com')
        for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }]) {
          const response = await server.app.inject({
            method: 'POST',
            url: '/v1/sign-out',
            headers: { cookie: cookieHeader as string, ...headers },
          })
          expect(response.statusCode).toBe(403)
          expect(response.json().code).toBe('csrf_rejected')
        }
        const session = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: cookieHeader as string } })
        expect(session.statusCode).toBe(200)
      })

      it('refuses cross-site session revocations made with the cookie', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const { cookieHeader, body } = await signUp(server.app, 'ann@example.com')
        const headers = { cookie: cookieHeader as string, origin: 'https://evil.example' }
        const one = await server.app.inject({ method: 'DELETE', url: `/v1/sessions/${body.session?.id}`, headers })
        const all = await server.app.inject({ method: 'POST', url: '/v1/sessions/revoke', payload: { scope: 'all' }, headers })
        expect([one.statusCode, all.statusCode]).toEqual([403, 403])
        expect([one.json().code, all.json().code]).toEqual(['csrf_rejected', 'csrf_rejected'])
        const session = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: cookieHeader as string } })
        expect(session.statusCode).toBe(200)
      })

      it('does not apply the check to a bearer token, which a cross-site page cannot attach', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await signUp(server.app, 'ann@example.com')
        const { token } = await signIn(server.app, 'ann@example.com', PASSWORD, { transport: 'bearer' })
        const response = await server.app.inject({
          method: 'POST',
          url: '/v1/sign-out',
          headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' },
        })
        expect(response.statusCode).toBe(204)
        const after = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } })
        expect(after.json().code).toBe('session_revoked')
      })

      it('allows a cross-site GET of the session, a safe method', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const { cookieHeader } = await signUp(server.app, 'ann@example.com')
        const response = await server.app.inject({
          method: 'GET',
          url: '/v1/session',
          headers: { cookie: cookieHeader as string, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        })
        expect(response.statusCode).toBe(200)
      })

      it('allows a cookie sign-out from the issuer and from a configured origin', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: { http: { allowedOrigins: ['https://app.example.test'] } } })
        const first = await signUp(server.app, 'ann@example.com')
        const second = await signIn(server.app, 'ann@example.com')
        const fromIssuer = await server.app.inject({
          method: 'POST',
          url: '/v1/sign-out',
          headers: { cookie: first.cookieHeader as string, origin: ORIGIN },
        })
        expect(fromIssuer.statusCode).toBe(204)
        const fromApp = await server.app.inject({
          method: 'POST',
          url: '/v1/sign-out',
          headers: { cookie: second.cookieHeader as string, origin: 'https://app.example.test' },
        })
        expect(fromApp.statusCode).toBe(204)
      })
    })

    describe('logs', () => {
      it('never hold a password, session token, secret, hash or cookie value', async ({ onTestFinished }) => {
        const logLines: string[] = []
        const server = await start(onTestFinished, { logLines })
        const up = await signUp(server.app, 'ann@example.com')
        const viaCookie = await signIn(server.app, 'ann@example.com')
        const viaBearer = await signIn(server.app, 'ann@example.com', PASSWORD, { transport: 'bearer' })
        const failed = await signIn(server.app, 'ann@example.com', WRONG)
        expect(failed.response.statusCode).toBe(401)
        const withCookie = await server.app.inject({
          method: 'GET',
          url: '/v1/session',
          headers: { cookie: viaCookie.cookieHeader as string },
        })
        const withBearer = await server.app.inject({
          method: 'GET',
          url: '/v1/session',
          headers: { authorization: `Bearer ${viaBearer.token}` },
        })
        expect([withCookie.statusCode, withBearer.statusCode]).toEqual([200, 200])
        // Requests that fail after reading a credential must not log it either.
        const badBearer = `${(viaBearer.token as string).slice(0, 23)}${'Z'.repeat(43)}`
        await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${badBearer}` } })
        const credential = await server.tessera.stores.credentials.findByEmail('ann@example.com')
        // And neither must the error log of a request that fails on our side.
        await server.tessera.database.db.destroy()
        const failing = await server.app.inject({
          method: 'POST',
          url: '/v1/sign-in',
          payload: { email: 'ann@example.com', password: PASSWORD },
        })
        expect(failing.statusCode).toBe(503)
        await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: viaCookie.cookieHeader as string } })

        const tokens = [up.token, viaCookie.token, viaBearer.token, badBearer] as string[]
        const secrets = [
          PASSWORD,
          WRONG,
          credential?.hash as string,
          ...tokens,
          ...tokens.map((token) => token.split('.')[1] as string),
          up.cookieHeader as string,
          viaCookie.cookieHeader as string,
        ]
        expect(tokens.every((token) => typeof token === 'string' && token.length > 60)).toBe(true)
        expect(logLines.length).toBeGreaterThan(0)
        expect(logLines.join('\n')).toContain('/v1/sign-in')
        // A store outage is logged once per burst at warn (issue 18), with the driver's reason.
        expect(logLines.some((line) => JSON.parse(line).code === 'store_unavailable')).toBe(true)
        for (const line of logLines) {
          for (const secret of secrets) expect(line).not.toContain(secret)
        }
      })
    })
  })
}
