import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, it, type TestContext } from 'vitest'
import { DIALECTS } from '../../test/test-database.js'
import { createTestServer, PASSWORD, signIn, signUp, type TestServer, type TestServerOptions } from '../../test/test-server.js'

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/

async function countRows(server: TestServer, table: 'users' | 'sessions' | 'event_outbox'): Promise<number> {
  const row = await server.tessera.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

async function counts(server: TestServer) {
  return {
    users: await countRows(server, 'users'),
    sessions: await countRows(server, 'sessions'),
    events: await countRows(server, 'event_outbox'),
  }
}

function post(server: TestServer, url: string, payload: unknown, headers: Record<string, string> = {}) {
  return server.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers })
}

/** The attributes of the one Set-Cookie header, keyed by lower-cased name (`secure` → true). */
function setCookieAttributes(response: LightMyRequestResponse): { name: string; value: string; attributes: Map<string, string | true> } {
  const header = response.headers['set-cookie']
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header]
  expect(lines).toHaveLength(1)
  const [pair = '', ...rest] = (lines[0] as string).split(';').map((part) => part.trim())
  const eq = pair.indexOf('=')
  const attributes = new Map<string, string | true>()
  for (const part of rest) {
    const at = part.indexOf('=')
    attributes.set((at < 0 ? part : part.slice(0, at)).toLowerCase(), at < 0 ? true : part.slice(at + 1))
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes }
}

for (const dialect of DIALECTS) {
  // Concurrent: each test has a server of its own, closed when that test finishes.
  describe.concurrent(`credential endpoints on ${dialect}`, () => {
    const start = async (onTestFinished: TestContext['onTestFinished'], options: Omit<TestServerOptions, 'dialect'> = {}) => {
      const server = await createTestServer({ dialect, ...options })
      onTestFinished(() => server.close())
      return server
    }

    describe('sign-up', () => {
      it('creates the account with 201 and returns the user and a new session, uncached', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const response = await post(server, '/v1/sign-up', { email: 'ann@example.com', password: PASSWORD })
        expect(response.statusCode).toBe(201)
        expect(response.headers['cache-control']).toBe('no-store')
        const body = response.json()
        expect(body.user).toEqual({
          id: expect.stringMatching(/^usr_/),
          email: 'ann@example.com',
          status: 'active',
          emailVerified: false,
          createdAt: expect.any(String),
        })
        expect(body.session).toMatchObject({ id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), amr: ['pwd'] })
        // Cookie transport: the token travels only in the cookie, and no hash ever leaves the server.
        expect(body.session.token).toBeUndefined()
        expect(JSON.stringify(body)).not.toMatch(/hash|argon2|secret/i)
        expect(await counts(server)).toMatchObject({ users: 1, sessions: 1 })
      })

      it('issues a session cookie that authenticates the new account', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const { cookieHeader, body } = await signUp(server.app, 'ann@example.com')
        const session = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: cookieHeader as string } })
        expect(session.statusCode).toBe(200)
        expect(session.json()).toMatchObject({ user: { id: body.user?.id, email: 'ann@example.com' }, session: { id: body.session?.id } })
      })

      it('stores the email trimmed and lower-cased', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const response = await post(server, '/v1/sign-up', { email: ' Ann@EXAMPLE.com ', password: PASSWORD })
        expect(response.statusCode).toBe(201)
        expect(response.json().user.email).toBe('ann@example.com')
        expect(await server.tessera.stores.users.findByEmail('ann@example.com')).toMatchObject({ email: 'ann@example.com' })
      })

      it('refuses an email already taken, in any case or spacing, with 409 email_taken and writes nothing', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await signUp(server.app, 'ann@example.com')
        const before = await counts(server)
        for (const email of ['ann@example.com', 'ANN@Example.COM', '  ann@EXAMPLE.com\t']) {
          const response = await post(server, '/v1/sign-up', { email, password: 'another good passphrase' })
          expect(response.statusCode).toBe(409)
          expect(response.json().code).toBe('email_taken')
          expect(response.headers['set-cookie']).toBeUndefined()
        }
        expect(await counts(server)).toEqual(before)
      })

      it('sets __Host-tessera_session with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain on an https issuer', async ({
        onTestFinished,
      }) => {
        const server = await start(onTestFinished)
        const response = await post(server, '/v1/sign-up', { email: 'ann@example.com', password: PASSWORD })
        const cookie = setCookieAttributes(response)
        expect(cookie.name).toBe('__Host-tessera_session')
        expect(cookie.value).toMatch(TOKEN_SHAPE)
        expect(cookie.attributes.get('secure')).toBe(true)
        expect(cookie.attributes.get('httponly')).toBe(true)
        expect(cookie.attributes.get('samesite')).toBe('Lax')
        expect(cookie.attributes.get('path')).toBe('/')
        expect(cookie.attributes.has('domain')).toBe(false)
        expect(cookie.attributes.get('max-age')).toBe(String(server.tessera.config.session.absoluteLifetime))
      })

      it('drops __Host- and Secure, and only those, on a plain-http localhost issuer', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: { issuer: 'http://localhost:4000' } })
        const response = await post(server, '/v1/sign-up', { email: 'ann@example.com', password: PASSWORD })
        expect(response.statusCode).toBe(201)
        const cookie = setCookieAttributes(response)
        expect(cookie.name).toBe('tessera_session')
        expect(cookie.attributes.has('secure')).toBe(false)
        expect(cookie.attributes.get('httponly')).toBe(true)
        expect(cookie.attributes.get('samesite')).toBe('Lax')
        expect(cookie.attributes.get('path')).toBe('/')
        expect(cookie.attributes.has('domain')).toBe(false)
      })

      it('returns the session token in the body and sets no cookie with the bearer transport', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const response = await post(server, '/v1/sign-up', { email: 'ann@example.com', password: PASSWORD, transport: 'bearer' })
        expect(response.statusCode).toBe(201)
        expect(response.headers['set-cookie']).toBeUndefined()
        expect(response.headers['cache-control']).toBe('no-store')
        const token = response.json().session.token as string
        expect(token).toMatch(TOKEN_SHAPE)
        expect(token.split('.')[0]).toBe(response.json().session.id)
        const session = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } })
        expect(session.statusCode).toBe(200)
      })

      it('sets a cookie and puts no token in the body with the explicit cookie transport', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const response = await post(server, '/v1/sign-up', { email: 'ann@example.com', password: PASSWORD, transport: 'cookie' })
        expect(response.statusCode).toBe(201)
        expect(setCookieAttributes(response).name).toBe('__Host-tessera_session')
        expect(response.json().session.token).toBeUndefined()
      })
    })

    describe('password policy at sign-up', () => {
      async function expectRefused(server: TestServer, email: string, password: string, code: string) {
        const response = await post(server, '/v1/sign-up', { email, password })
        expect(response.statusCode).toBe(400)
        expect(response.json().code).toBe(code)
        expect(response.headers['set-cookie']).toBeUndefined()
        expect(await server.tessera.stores.users.findByEmail(email.trim().toLowerCase())).toBeNull()
        return response.json()
      }

      it('refuses a password shorter than 8 characters with password_too_short', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const before = await counts(server)
        await expectRefused(server, 'ann@example.com', 'Ab3$xyz', 'password_too_short')
        expect(await counts(server)).toEqual({ ...before, users: 0, sessions: 0 })
      })

      it('counts length after NFC, so 7 decomposed accented letters are too short', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        // 14 code points as sent, 7 once composed.
        await expectRefused(server, 'ann@example.com', 'e\u0301'.repeat(7), 'password_too_short')
      })

      it('refuses common and breached passwords, in any case, with password_too_common and a reason', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        for (const password of ['password1', 'baseball', 'BaseBall', 'PASSWORD123']) {
          const problem = await expectRefused(server, 'ann@example.com', password, 'password_too_common')
          expect(problem.detail).toEqual(expect.any(String))
          expect(problem.detail.length).toBeGreaterThan(0)
        }
      })

      it('refuses a password on the shipped common-password list with the estimate off', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: { password: { minStrength: 0 } } })
        const problem = await expectRefused(server, 'ann@example.com', 'Baseball1', 'password_too_common')
        expect(problem.detail).toContain('list of common or breached passwords')
        expect((await post(server, '/v1/sign-up', { email: 'ann@example.com', password: 'Baseball1-rhubarb' })).statusCode).toBe(201)
      })

      it('refuses the email address, its name part or the service name as a password, and what is easy to guess', async ({
        onTestFinished,
      }) => {
        const server = await start(onTestFinished)
        await expectRefused(server, 'annabelle@example.com', 'annabelle@example.com', 'password_too_common')
        await expectRefused(server, 'Annabelle@Example.com', 'ANNABELLE@EXAMPLE.COM', 'password_too_common')
        await expectRefused(server, 'annabelle@example.com', 'Annabelle', 'password_too_common')
        await expectRefused(server, 'annabelle@example.com', 'Tessera2024', 'password_too_common')
        await expectRefused(server, 'annabelle@example.com', '123456789012345', 'password_too_common')
        expect(await countRows(server, 'users')).toBe(0)
      })

      it('accepts a long random password that happens to contain the service name (a word that lowers the estimate, not a veto)', async ({
        onTestFinished,
      }) => {
        const server = await start(onTestFinished)
        const accepted = await post(server, '/v1/sign-up', { email: 'ann@example.com', password: 'Xk9#tesseraQ2v!mLp7' })
        expect(accepted.statusCode).toBe(201)
      })

      it('refuses more than the maximum number of characters with password_too_long', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await expectRefused(server, 'ann@example.com', `${'x7'.repeat(64)}y`, 'password_too_long')
      })

      it('counts the maximum in code points: 128 emoji are accepted, 129 refused', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await expectRefused(server, 'ben@example.com', '😀'.repeat(129), 'password_too_long')
        // 128 different emoji in no run (a repeated one would be refused as easy to guess).
        const emoji = Array.from({ length: 128 }, (_, i) => String.fromCodePoint(0x1f300 + ((i * 37) % 128))).join('')
        const accepted = await post(server, '/v1/sign-up', { email: 'ann@example.com', password: emoji })
        expect(accepted.statusCode).toBe(201)
      })

      it('refuses a password over the byte cap, though under the body limit, with password_too_long', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await expectRefused(server, 'ann@example.com', 'é'.repeat(1000), 'password_too_long')
      })

      it('applies the byte cap on its own when the character limit would allow the password', async ({ onTestFinished }) => {
        const server = await start(onTestFinished, { config: { password: { maxLength: 1024, maxBytes: 1024 } } })
        // 600 characters (allowed) but 1200 UTF-8 bytes (over the cap).
        await expectRefused(server, 'ann@example.com', 'é'.repeat(600), 'password_too_long')
      })

      it('normalises to NFC: a password signed up decomposed signs in composed, and the reverse', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const decomposed = 'cafe\u0301 au lait, s’il vous plaît'
        const composed = decomposed.normalize('NFC')
        expect(composed).not.toBe(decomposed)
        expect((await post(server, '/v1/sign-up', { email: 'ann@example.com', password: decomposed })).statusCode).toBe(201)
        expect((await post(server, '/v1/sign-in', { email: 'ann@example.com', password: composed })).statusCode).toBe(200)
        expect((await post(server, '/v1/sign-up', { email: 'ben@example.com', password: composed })).statusCode).toBe(201)
        expect((await post(server, '/v1/sign-in', { email: 'ben@example.com', password: decomposed })).statusCode).toBe(200)
      })
    })

    describe('sign-in', () => {
      it('signs in with 200, the user, a session and a session cookie, uncached', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const { body: signedUp } = await signUp(server.app, 'ann@example.com')
        const response = await post(server, '/v1/sign-in', { email: 'ann@example.com', password: PASSWORD })
        expect(response.statusCode).toBe(200)
        expect(response.headers['cache-control']).toBe('no-store')
        expect(response.json()).toMatchObject({ user: { id: signedUp.user?.id, email: 'ann@example.com' }, session: { amr: ['pwd'] } })
        const cookie = setCookieAttributes(response)
        expect(cookie.name).toBe('__Host-tessera_session')
        const session = await server.app.inject({
          method: 'GET',
          url: '/v1/session',
          headers: { cookie: `${cookie.name}=${cookie.value}` },
        })
        expect(session.json().session.id).toBe(response.json().session.id)
      })

      it('finds the account whatever the case and spacing of the email', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await signUp(server.app, 'ann@example.com')
        const response = await post(server, '/v1/sign-in', { email: '  ANN@Example.COM ', password: PASSWORD })
        expect(response.statusCode).toBe(200)
      })

      it('returns a bearer token and sets no cookie with the bearer transport', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await signUp(server.app, 'ann@example.com')
        const response = await post(server, '/v1/sign-in', { email: 'ann@example.com', password: PASSWORD, transport: 'bearer' })
        expect(response.statusCode).toBe(200)
        expect(response.headers['set-cookie']).toBeUndefined()
        expect(response.json().session.token).toMatch(TOKEN_SHAPE)
      })

      it('creates a new session id and secret on every sign-in, all of them live', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const first = await signUp(server.app, 'ann@example.com')
        const second = await signIn(server.app, 'ann@example.com')
        const third = await signIn(server.app, 'ann@example.com')
        const ids = new Set([first.body.session?.id, second.body.session?.id, third.body.session?.id])
        const tokens = new Set([first.token, second.token, third.token])
        expect(ids.size).toBe(3)
        expect(tokens.size).toBe(3)
        const list = await server.app.inject({ method: 'GET', url: '/v1/sessions', headers: { cookie: third.cookieHeader as string } })
        expect(list.json().sessions).toHaveLength(3)
      })

      it('issues a fresh session when the request already carries a session cookie (no fixation)', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const { cookieHeader, token: held, body } = await signUp(server.app, 'ann@example.com')
        const response = await post(
          server,
          '/v1/sign-in',
          { email: 'ann@example.com', password: PASSWORD },
          { cookie: cookieHeader as string },
        )
        expect(response.statusCode).toBe(200)
        const fresh = setCookieAttributes(response)
        expect(fresh.value).not.toBe(held)
        expect(response.json().session.id).not.toBe(body.session?.id)
        expect(fresh.value.split('.')[0]).toBe(response.json().session.id)
      })

      it('never adopts a session token planted by an attacker before sign-in', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await signUp(server.app, 'ann@example.com')
        const planted = `${'A'.repeat(22)}.${'B'.repeat(43)}`
        const response = await post(
          server,
          '/v1/sign-in',
          { email: 'ann@example.com', password: PASSWORD },
          { cookie: `__Host-tessera_session=${planted}` },
        )
        expect(response.statusCode).toBe(200)
        expect(setCookieAttributes(response).value).not.toBe(planted)
        expect(await server.tessera.stores.sessions.findById('A'.repeat(22))).toBeNull()
        const probe = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${planted}` } })
        expect(probe.statusCode).toBe(401)
      })

      it('refuses a wrong password with 401 invalid_credentials, no cookie and no session', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await signUp(server.app, 'ann@example.com')
        const sessions = await countRows(server, 'sessions')
        for (const password of ['wrong horse battery staple', `${PASSWORD} `, PASSWORD.toUpperCase()]) {
          const response = await post(server, '/v1/sign-in', { email: 'ann@example.com', password })
          expect(response.statusCode).toBe(401)
          expect(response.json().code).toBe('invalid_credentials')
          expect(response.headers['set-cookie']).toBeUndefined()
        }
        expect(await countRows(server, 'sessions')).toBe(sessions)
      })

      it('refuses an address that cannot be an email with 400 invalid_email', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const response = await post(server, '/v1/sign-in', { email: 'not-an-email', password: PASSWORD })
        expect(response.statusCode).toBe(400)
        expect(response.json().code).toBe('invalid_email')
      })

      it('refuses an over-long password at sign-in with password_too_long before looking anything up', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        await signUp(server.app, 'ann@example.com')
        const response = await post(server, '/v1/sign-in', { email: 'ann@example.com', password: 'é'.repeat(1000) })
        expect(response.statusCode).toBe(400)
        expect(response.json().code).toBe('password_too_long')
      })
    })

    describe('disabled users', () => {
      it('refuses the right password of a disabled user with 403 user_disabled and starts no session', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const { body } = await signUp(server.app, 'ann@example.com')
        await server.tessera.services.users.disable(body.user?.id as string, { kind: 'cli' })
        const sessions = await countRows(server, 'sessions')
        const response = await post(server, '/v1/sign-in', { email: 'ann@example.com', password: PASSWORD })
        expect(response.statusCode).toBe(403)
        expect(response.json().code).toBe('user_disabled')
        expect(response.headers['set-cookie']).toBeUndefined()
        expect(await countRows(server, 'sessions')).toBe(sessions)
      })

      it('revokes the sessions a user held when disabled: cookie and bearer get 401 session_revoked', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const viaCookie = await signUp(server.app, 'ann@example.com')
        const viaBearer = await signIn(server.app, 'ann@example.com', PASSWORD, { transport: 'bearer' })
        await server.tessera.services.users.disable(viaCookie.body.user?.id as string, { kind: 'cli' })
        const cookie = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: viaCookie.cookieHeader as string } })
        expect(cookie.statusCode).toBe(401)
        expect(cookie.json().code).toBe('session_revoked')
        const bearer = await server.app.inject({
          method: 'GET',
          url: '/v1/session',
          headers: { authorization: `Bearer ${viaBearer.token}` },
        })
        expect(bearer.statusCode).toBe(401)
        expect(bearer.json().code).toBe('session_revoked')
      })

      it('answers a wrong password for a disabled user exactly like one for an unknown email', async ({ onTestFinished }) => {
        const server = await start(onTestFinished)
        const { body } = await signUp(server.app, 'ann@example.com')
        await server.tessera.services.users.disable(body.user?.id as string, { kind: 'cli' })
        // The same request id on both, so the bodies may be compared whole (the id is echoed in them).
        const sameId = { 'x-request-id': 'enumeration-probe' }
        const disabled = await post(server, '/v1/sign-in', { email: 'ann@example.com', password: 'wrong horse battery staple' }, sameId)
        const unknown = await post(server, '/v1/sign-in', { email: 'nobody@example.com', password: 'wrong horse battery staple' }, sameId)
        expect(disabled.statusCode).toBe(401)
        expect(disabled.json().code).toBe('invalid_credentials')
        expect(disabled.json()).toEqual(unknown.json())
      })
    })
  })
}
