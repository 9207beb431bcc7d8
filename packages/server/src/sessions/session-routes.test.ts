import type { LightMyRequestResponse } from 'fastify'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { DIALECTS } from '../../test/test-database.js'
import { createTestServer, ORIGIN, PASSWORD, signIn, signUp, type TestServer, type TestServerOptions } from '../../test/test-server.js'
import type { EventType } from '../events/event-outbox.js'
import type { DialectName } from '../store/open-database.js'

for (const dialect of DIALECTS) {
  describe(`session routes on ${dialect}`, () => {
    let server: TestServer
    beforeEach(async () => {
      server = await createTestServer({ dialect })
    })
    afterEach(async () => {
      await server.close()
    })

    it('returns the user and session for a valid cookie', async () => {
      const { cookieHeader, body } = await signUp(server.app, 'ann@example.com')
      const response = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: cookieHeader as string } })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toMatchObject({ user: { email: 'ann@example.com' }, session: { id: body.session?.id } })
      expect(response.headers['cache-control']).toBe('no-store')
    })

    it('returns the user and session for a bearer session token, and sets no cookie for bearer sign-in', async () => {
      await signUp(server.app, 'ann@example.com')
      const { token, cookie, response: signInResponse } = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      expect(cookie).toBeUndefined()
      expect(signInResponse.headers['set-cookie']).toBeUndefined()
      const response = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } })
      expect(response.statusCode).toBe(200)
    })

    it('answers 401 unauthenticated without any credential', async () => {
      const response = await server.app.inject({ method: 'GET', url: '/v1/session' })
      expect(response.statusCode).toBe(401)
      expect(response.json().code).toBe('unauthenticated')
      expect(response.headers['content-type']).toContain('application/problem+json')
    })

    it('refuses a malformed Authorization header, a forged secret and a revoked session over bearer, at once and without echoing the token', async () => {
      await signUp(server.app, 'ann@example.com')
      const { token, body } = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const [id, secret] = (token as string).split('.') as [string, string]
      const check = (authorization: string) => server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization } })
      // RFC 6750 §3: a request that is not "Bearer <token>" is invalid_request; a token that does not authenticate is invalid_token.
      for (const authorization of ['Basic YW5uOnB3', 'Bearer', `Bearer ${token} extra`, `Bearer  ${token}`, token as string]) {
        const refused = await check(authorization)
        expect(refused.statusCode, authorization).toBe(401)
        expect(refused.json().code).toBe('session_invalid')
        expect(refused.headers['www-authenticate']).toBe('Bearer realm="tessera", error="invalid_request"')
      }
      const forged = await check(`Bearer ${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`)
      expect(forged.statusCode).toBe(401)
      expect(forged.json().code).toBe('session_invalid')
      expect(forged.headers['www-authenticate']).toBe('Bearer realm="tessera", error="invalid_token"')
      expect(forged.body).not.toContain(secret.slice(0, 20))
      // Every answer of the check carries the security headers and is never cached.
      for (const response of [forged, await check(`Bearer ${token}`)]) {
        expect(response.headers['cache-control']).toBe('no-store')
        expect(response.headers['x-content-type-options']).toBe('nosniff')
        expect(response.headers['referrer-policy']).toBe('no-referrer')
        expect(response.headers['x-request-id']).toBeDefined()
      }
      // The scheme is case-insensitive (RFC 7235 §2.1).
      expect((await check(`bearer ${token}`)).statusCode).toBe(200)
      // Revocation is seen by the very next check (on SQLite through the read cache, session-read-cache.test.ts).
      const revoke = await server.app.inject({ method: 'DELETE', url: `/v1/sessions/${body.session?.id}`, headers: bearer(token) })
      expect(revoke.statusCode).toBe(204)
      const revoked = await check(`Bearer ${token}`)
      expect(revoked.statusCode).toBe(401)
      expect(revoked.json().code).toBe('session_revoked')
      expect(revoked.headers['www-authenticate']).toBe('Bearer realm="tessera", error="invalid_token"')
    })

    it('clears the session cookie when the session it carries no longer authenticates', async () => {
      const { cookieHeader } = await signUp(server.app, 'ann@example.com')
      const signOut = await server.app.inject({
        method: 'POST',
        url: '/v1/sign-out',
        headers: { cookie: cookieHeader as string, origin: ORIGIN },
      })
      expect(signOut.statusCode).toBe(204)
      const response = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: cookieHeader as string } })
      expect(response.statusCode).toBe(401)
      expect(response.json().code).toBe('session_revoked')
      expectCookieCleared(server, response)
    })

    it('lists live sessions with a current flag and revokes one of them', async () => {
      const first = await signUp(server.app, 'ann@example.com')
      const second = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const list = await server.app.inject({ method: 'GET', url: '/v1/sessions', headers: { authorization: `Bearer ${second.token}` } })
      const sessions = list.json().sessions as { id: string; current: boolean }[]
      expect(sessions).toHaveLength(2)
      expect(sessions.find((s) => s.current)?.id).toBe(second.body.session?.id)
      const revoke = await server.app.inject({
        method: 'DELETE',
        url: `/v1/sessions/${first.body.session?.id}`,
        headers: { authorization: `Bearer ${second.token}` },
      })
      expect(revoke.statusCode).toBe(204)
      const dead = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: first.cookieHeader as string } })
      expect(dead.json().code).toBe('session_revoked')
    })

    it('expires a session after the idle timeout on the injected clock', async () => {
      const { cookieHeader } = await signUp(server.app, 'ann@example.com')
      server.clock.advance(server.tessera.config.session.idleTimeout * 1000)
      const response = await server.app.inject({
        method: 'GET',
        url: '/v1/session',
        headers: { cookie: cookieHeader as string, origin: ORIGIN },
      })
      expect(response.statusCode).toBe(401)
      expect(response.json().code).toBe('session_expired')
    })
  })
}

/** A server of the test's own, closed when the test finishes. */
async function serve(dialect: DialectName, config?: TestServerOptions['config']): Promise<TestServer> {
  const server = await createTestServer({ dialect, ...(config ? { config } : {}) })
  onTestFinished(() => server.close())
  return server
}

const SECOND = 1000
const MINUTE = 60 * SECOND

function bearer(token: string | undefined) {
  return { authorization: `Bearer ${token}` }
}

function getSession(server: TestServer, token: string | undefined) {
  return server.app.inject({ method: 'GET', url: '/v1/session', headers: bearer(token) })
}

function listSessions(server: TestServer, token: string | undefined) {
  return server.app.inject({ method: 'GET', url: '/v1/sessions', headers: bearer(token) })
}

async function expectProblem(response: LightMyRequestResponse | Promise<LightMyRequestResponse>, status: number, code: string) {
  const resolved = await response
  expect(resolved.statusCode).toBe(status)
  expect(resolved.json().code).toBe(code)
}

/** The cookie is replaced by an empty one that has already expired, with the attributes it was set with. */
function expectCookieCleared(server: TestServer, response: LightMyRequestResponse) {
  const cleared = response.cookies.find((cookie) => cookie.name === server.tessera.cookie.name)
  expect(cleared, 'a Set-Cookie for the session cookie').toBeDefined()
  expect(cleared?.value).toBe('')
  const expired = cleared?.maxAge === 0 || (cleared?.expires !== undefined && cleared.expires.getTime() <= Date.now())
  expect(expired, 'Max-Age=0 or an Expires in the past').toBe(true)
  // A `__Host-` cookie is only replaced by one with Secure and Path=/; anything else is ignored by browsers.
  expect(cleared?.path).toBe('/')
  expect(cleared?.secure).toBe(true)
}

function expectNoCookie(server: TestServer, response: LightMyRequestResponse) {
  expect(response.cookies.find((cookie) => cookie.name === server.tessera.cookie.name)).toBeUndefined()
}

async function lastSeqs(server: TestServer) {
  const revocations = await server.tessera.stores.revocations.listAfter(0, 10_000)
  const events = await server.tessera.stores.events.listAfter(0, 10_000)
  return { revocation: revocations.at(-1)?.seq ?? 0, event: events.at(-1)?.seq ?? 0 }
}

/** What was written to the revocation log and the outbox after `since`, checking that sequences only rise. */
async function writtenSince(server: TestServer, since: { revocation: number; event: number }) {
  const revocations = await server.tessera.stores.revocations.listAfter(since.revocation, 10_000)
  const events = await server.tessera.stores.events.listAfter(since.event, 10_000)
  for (const list of [revocations, events]) {
    for (let i = 1; i < list.length; i++) expect(list[i]?.seq).toBeGreaterThan(list[i - 1]?.seq as number)
  }
  return { revocations, events }
}

/** Makes the database refuse one event type, so the transaction that appends it fails at its end. */
async function failOnEvent(server: TestServer, dialect: DialectName, type: EventType) {
  const db = server.tessera.database.db
  if (dialect === 'sqlite') {
    await sql
      .raw(
        `create trigger fail_outbox before insert on event_outbox when new.type = '${type}' begin select raise(abort, 'injected failure'); end`,
      )
      .execute(db)
  } else {
    await sql
      .raw(`create function fail_outbox() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`)
      .execute(db)
    await sql
      .raw(
        `create trigger fail_outbox before insert on event_outbox for each row when (new.type = '${type}') execute function fail_outbox()`,
      )
      .execute(db)
  }
}

for (const dialect of DIALECTS) {
  describe(`session revocation on ${dialect}`, () => {
    it('revokes every other session of the user and keeps the current one', async () => {
      const server = await serve(dialect)
      const current = await signUp(server.app, 'ann@example.com')
      const other = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const third = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const bob = await signUp(server.app, 'bob@example.com')

      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/sessions/revoke',
        headers: { cookie: current.cookieHeader as string },
        payload: { scope: 'others' },
      })
      expect(response.statusCode).toBe(204)
      expectNoCookie(server, response)

      expect((await getSession(server, current.token)).statusCode).toBe(200)
      await expectProblem(getSession(server, other.token), 401, 'session_revoked')
      await expectProblem(getSession(server, third.token), 401, 'session_revoked')
      expect((await getSession(server, bob.token)).statusCode).toBe(200)
      const listed = (await listSessions(server, current.token)).json().sessions as { id: string }[]
      expect(listed.map((session) => session.id)).toEqual([current.body.session?.id])
      expect((await server.tessera.stores.users.findById(current.body.user?.id as string))?.tokenVersion).toBe(1)
    })

    it("revokes every session of the user, clears the cookie and raises the user's token version", async () => {
      const server = await serve(dialect)
      const current = await signUp(server.app, 'ann@example.com')
      const other = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const bob = await signUp(server.app, 'bob@example.com')
      const userId = current.body.user?.id as string
      expect((await server.tessera.stores.users.findById(userId))?.tokenVersion).toBe(1)

      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/sessions/revoke',
        headers: { cookie: current.cookieHeader as string, origin: ORIGIN },
        payload: { scope: 'all' },
      })
      expect(response.statusCode).toBe(204)
      expectCookieCleared(server, response)

      await expectProblem(getSession(server, current.token), 401, 'session_revoked')
      await expectProblem(getSession(server, other.token), 401, 'session_revoked')
      expect((await getSession(server, bob.token)).statusCode).toBe(200)
      expect((await server.tessera.stores.users.findById(userId))?.tokenVersion).toBe(2)
      expect((await server.tessera.stores.users.findById(bob.body.user?.id as string))?.tokenVersion).toBe(1)
    })

    it('signs out: 204, the cookie is cleared, and the token is revoked', async () => {
      const server = await serve(dialect)
      const session = await signUp(server.app, 'ann@example.com')
      const other = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })

      const response = await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: { cookie: session.cookieHeader as string } })
      expect(response.statusCode).toBe(204)
      expectCookieCleared(server, response)

      await expectProblem(getSession(server, session.token), 401, 'session_revoked')
      const withCookie = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: session.cookieHeader as string } })
      await expectProblem(withCookie, 401, 'session_revoked')
      expect((await getSession(server, other.token)).statusCode).toBe(200)
      expect((await server.tessera.stores.sessions.findById(session.body.session?.id as string))?.revokedReason).toBe('sign_out')
    })

    it('signs out a bearer session token without setting any cookie', async () => {
      const server = await serve(dialect)
      await signUp(server.app, 'ann@example.com')
      const session = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const response = await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: bearer(session.token) })
      expect(response.statusCode).toBe(204)
      expectNoCookie(server, response)
      await expectProblem(getSession(server, session.token), 401, 'session_revoked')
      await expectProblem(
        server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: bearer(session.token) }),
        401,
        'session_revoked',
      )
    })

    it("answers 404 session_not_found for another user's session, which keeps working", async () => {
      const server = await serve(dialect)
      const ann = await signUp(server.app, 'ann@example.com')
      const bob = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' }).then(() =>
        signUp(server.app, 'bob@example.com'),
      )
      const since = await lastSeqs(server)

      const response = await server.app.inject({
        method: 'DELETE',
        url: `/v1/sessions/${bob.body.session?.id}`,
        headers: bearer(ann.token),
      })
      await expectProblem(response, 404, 'session_not_found')

      expect((await getSession(server, bob.token)).statusCode).toBe(200)
      const written = await writtenSince(server, since)
      expect(written.revocations).toEqual([])
      expect(written.events).toEqual([])
    })

    it('answers a well-formed unknown id and a malformed id alike: 404 session_not_found', async () => {
      const server = await serve(dialect)
      const ann = await signUp(server.app, 'ann@example.com')
      for (const id of [
        'A'.repeat(22),
        'nope',
        'A'.repeat(23),
        'A'.repeat(21),
        `${'A'.repeat(21)}%3D`,
        `${'A'.repeat(20)}%2E%2E`,
        // Fastify's router answers ids over 100 characters itself (414), before any route.
        'A'.repeat(100),
      ]) {
        const response = await server.app.inject({ method: 'DELETE', url: `/v1/sessions/${id}`, headers: bearer(ann.token) })
        await expectProblem(response, 404, 'session_not_found')
      }
      const token = await server.app.inject({ method: 'DELETE', url: `/v1/sessions/${ann.token}`, headers: bearer(ann.token) })
      await expectProblem(token, 404, 'session_not_found')
      expect((await getSession(server, ann.token)).statusCode).toBe(200)
    })

    it('answers 404 session_not_found for a session that is already revoked', async () => {
      const server = await serve(dialect)
      const first = await signUp(server.app, 'ann@example.com')
      const second = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const url = `/v1/sessions/${first.body.session?.id}`
      expect((await server.app.inject({ method: 'DELETE', url, headers: bearer(second.token) })).statusCode).toBe(204)
      const since = await lastSeqs(server)

      await expectProblem(server.app.inject({ method: 'DELETE', url, headers: bearer(second.token) }), 404, 'session_not_found')
      const written = await writtenSince(server, since)
      expect(written.revocations).toEqual([])
      expect(written.events).toEqual([])
    })

    it('answers 404 session_not_found for a session that has already expired', async () => {
      const server = await serve(dialect, { session: { idleTimeout: 600, absoluteLifetime: 3600 } })
      const idle = await signUp(server.app, 'ann@example.com')
      server.clock.advance(600 * SECOND)
      const fresh = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const url = `/v1/sessions/${idle.body.session?.id}`
      await expectProblem(server.app.inject({ method: 'DELETE', url, headers: bearer(fresh.token) }), 404, 'session_not_found')
    })

    it('deletes the current session and clears its cookie', async () => {
      const server = await serve(dialect)
      const ann = await signUp(server.app, 'ann@example.com')
      const response = await server.app.inject({
        method: 'DELETE',
        url: `/v1/sessions/${ann.body.session?.id}`,
        headers: { cookie: ann.cookieHeader as string },
      })
      expect(response.statusCode).toBe(204)
      expectCookieCleared(server, response)
      await expectProblem(getSession(server, ann.token), 401, 'session_revoked')
    })

    it('refuses a revoke body with a bad scope or extra fields: 400 invalid_request, nothing revoked', async () => {
      const server = await serve(dialect)
      const ann = await signUp(server.app, 'ann@example.com')
      const other = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const bodies: unknown[] = [
        { scope: 'everything' },
        { scope: 'ALL' },
        { scope: ['all'] },
        { scope: null },
        {},
        { scope: 'all', extra: true },
        { scope: 'others', keep: other.body.session?.id },
        ['all'],
        'all',
      ]
      for (const payload of bodies) {
        const response = await server.app.inject({
          method: 'POST',
          url: '/v1/sessions/revoke',
          headers: { ...bearer(ann.token), 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        })
        await expectProblem(response, 400, 'invalid_request')
      }
      await expectProblem(
        server.app.inject({ method: 'POST', url: '/v1/sessions/revoke', headers: bearer(ann.token) }),
        400,
        'invalid_request',
      )
      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      expect((await getSession(server, other.token)).statusCode).toBe(200)
      expect((await server.tessera.stores.users.findById(ann.body.user?.id as string))?.tokenVersion).toBe(1)
    })
  })

  describe(`session lifetime on ${dialect}`, () => {
    const config = { session: { idleTimeout: 600, absoluteLifetime: 3600 } }

    it('expires a session at its absolute lifetime even when it is used every few minutes', async () => {
      const server = await serve(dialect, config)
      const ann = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      for (let elapsed = 300; elapsed < 3600; elapsed += 300) {
        server.clock.advance(300 * SECOND)
        expect((await getSession(server, ann.token)).statusCode, `after ${elapsed} s`).toBe(200)
      }
      // 3300 s now; the last use was just now, so only the absolute lifetime can end it.
      server.clock.advance(300 * SECOND - 1)
      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      server.clock.advance(1)
      await expectProblem(getSession(server, ann.token), 401, 'session_expired')

      const other = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const listed = (await listSessions(server, other.token)).json().sessions as { id: string }[]
      expect(listed.map((session) => session.id)).toEqual([other.body.session?.id])
    })

    it('reports the absolute expiry as the session expiry once it comes before the idle expiry', async () => {
      const server = await serve(dialect, config)
      const ann = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      const signedInAt = server.clock.now()
      for (let elapsed = 300; elapsed <= 3300; elapsed += 300) {
        server.clock.advance(300 * SECOND)
        expect((await getSession(server, ann.token)).statusCode).toBe(200)
      }
      // Used just now: the idle expiry is 3900 s after sign-in, the absolute one 3600 s.
      const response = await getSession(server, ann.token)
      expect(response.json().session.expiresAt).toBe(new Date(signedInAt + 3600 * SECOND).toISOString())
    })

    it('resets the idle timeout with each use', async () => {
      const server = await serve(dialect, config)
      const ann = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      server.clock.advance(500 * SECOND)
      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      server.clock.advance(500 * SECOND)
      // 1000 s after sign-in, but only 500 s after the last use.
      const response = await getSession(server, ann.token)
      expect(response.statusCode).toBe(200)
      expect(response.json().session.expiresAt).toBe(new Date(server.clock.now() + 600 * SECOND).toISOString())
      server.clock.advance(600 * SECOND - 1)
      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      // That use moved the idle expiry again; now leave the session alone for the whole timeout.
      server.clock.advance(600 * SECOND)
      await expectProblem(getSession(server, ann.token), 401, 'session_expired')
    })

    it('writes last activity at most once per activity interval', async () => {
      const server = await serve(dialect, config)
      const ann = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      const id = ann.body.session?.id as string
      const signedInAt = server.clock.now()
      const lastActiveAt = async () => (await server.tessera.stores.sessions.findById(id))?.lastActiveAt

      server.clock.advance(10 * SECOND)
      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      expect(await lastActiveAt()).toBe(signedInAt)
      server.clock.advance(10 * SECOND)
      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      expect(await lastActiveAt()).toBe(signedInAt)

      server.clock.set(signedInAt + 61 * SECOND)
      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      expect(await lastActiveAt()).toBe(signedInAt + 61 * SECOND)

      server.clock.advance(10 * SECOND)
      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      expect(await lastActiveAt()).toBe(signedInAt + 61 * SECOND)
      server.clock.advance(51 * SECOND)
      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      expect(await lastActiveAt()).toBe(signedInAt + 122 * SECOND)
    })

    it('lists the user agent and IP address of the sign-in, and never the secret hash or the token', async () => {
      const server = await serve(dialect)
      await signUp(server.app, 'ann@example.com')
      const signedIn = await server.app.inject({
        method: 'POST',
        url: '/v1/sign-in',
        payload: { email: 'ann@example.com', password: PASSWORD, transport: 'bearer' },
        headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) TesseraTest/1.0' },
        remoteAddress: '203.0.113.7',
      })
      expect(signedIn.statusCode).toBe(200)
      const token = signedIn.json().session.token as string
      const id = signedIn.json().session.id as string

      const response = await listSessions(server, token)
      expect(response.statusCode).toBe(200)
      expect(response.headers['cache-control']).toBe('no-store')
      const sessions = response.json().sessions as Record<string, unknown>[]
      expect(sessions).toHaveLength(2)
      expect(sessions.find((session) => session.id === id)).toMatchObject({
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64) TesseraTest/1.0',
        ip: '203.0.113.7',
        current: true,
        amr: ['pwd'],
      })
      const stored = await server.tessera.stores.sessions.findById(id)
      for (const session of sessions) {
        expect(Object.keys(session).sort()).toEqual([
          'amr',
          'authTime',
          'createdAt',
          'current',
          'expiresAt',
          'id',
          'ip',
          'lastActiveAt',
          'userAgent',
        ])
      }
      expect(response.body).not.toContain(stored?.secretHash as string)
      expect(response.body).not.toContain(token.split('.')[1] as string)
      expect(response.body).not.toMatch(/secretHash|token|secret/i)
    })
  })

  describe(`revocation records on ${dialect}`, () => {
    it('records a revoked session in the revocation log and the outbox', async () => {
      const server = await serve(dialect)
      const ann = await signUp(server.app, 'ann@example.com')
      const other = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const userId = ann.body.user?.id as string
      const sid = ann.body.session?.id as string
      server.clock.advance(5 * MINUTE)
      const now = server.clock.now()
      const since = await lastSeqs(server)

      expect((await server.app.inject({ method: 'DELETE', url: `/v1/sessions/${sid}`, headers: bearer(other.token) })).statusCode).toBe(204)

      const { revocations, events } = await writtenSince(server, since)
      const retention = server.tessera.config.tokens.maxAccessTokenTtl * SECOND
      expect(revocations).toEqual([
        { seq: expect.any(Number), entry: { kind: 'session', sid }, createdAt: now, expiresAt: now + retention },
      ])
      expect(events).toEqual([
        {
          seq: expect.any(Number),
          type: 'session.revoked',
          actor: { kind: 'user', id: userId },
          userId,
          payload: { sessionId: sid, reason: 'revoked_by_user' },
          ip: null,
          createdAt: now,
        },
      ])
      expect((await server.tessera.stores.sessions.findById(sid))?.revokedAt).toBe(now)
    })

    it('records sign-out as a revoked session', async () => {
      const server = await serve(dialect)
      const ann = await signUp(server.app, 'ann@example.com')
      const sid = ann.body.session?.id as string
      const since = await lastSeqs(server)
      expect((await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: bearer(ann.token) })).statusCode).toBe(204)

      const { revocations, events } = await writtenSince(server, since)
      expect(revocations.map((each) => each.entry)).toEqual([{ kind: 'session', sid }])
      expect(events.map((each) => [each.type, each.payload])).toEqual([['session.revoked', { sessionId: sid, reason: 'sign_out' }]])
    })

    it('records each session revoked with scope others, and the user event, without raising the token version', async () => {
      const server = await serve(dialect)
      const current = await signUp(server.app, 'ann@example.com')
      const second = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const third = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const userId = current.body.user?.id as string
      const revokedIds = [second.body.session?.id as string, third.body.session?.id as string].sort()
      const since = await lastSeqs(server)

      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/sessions/revoke',
        headers: bearer(current.token),
        payload: { scope: 'others' },
      })
      expect(response.statusCode).toBe(204)

      const { revocations, events } = await writtenSince(server, since)
      expect(revocations.map((each) => each.entry)).toEqual(revokedIds.map((sid) => ({ kind: 'session', sid })))
      expect(events.map((each) => each.type)).toEqual(['session.revoked', 'session.revoked', 'user.sessions_revoked'])
      expect(events.at(-1)).toMatchObject({
        userId,
        actor: { kind: 'user', id: userId },
        payload: { sessionIds: revokedIds, reason: 'revoked_others', keptSessionId: current.body.session?.id },
      })
    })

    it('records scope all with every session and the new minimum token version', async () => {
      const server = await serve(dialect)
      const current = await signUp(server.app, 'ann@example.com')
      const second = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const userId = current.body.user?.id as string
      const revokedIds = [current.body.session?.id as string, second.body.session?.id as string].sort()
      const since = await lastSeqs(server)

      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/sessions/revoke',
        headers: bearer(current.token),
        payload: { scope: 'all' },
      })
      expect(response.statusCode).toBe(204)

      const { revocations, events } = await writtenSince(server, since)
      expect(revocations.map((each) => each.entry)).toEqual([
        ...revokedIds.map((sid) => ({ kind: 'session', sid })),
        { kind: 'user_token_version', sub: userId, minTokenVersion: 2 },
      ])
      expect(events.map((each) => each.type)).toEqual(['session.revoked', 'session.revoked', 'user.sessions_revoked'])
      expect(events.at(-1)?.payload).toEqual({ sessionIds: revokedIds, reason: 'revoked_all', keptSessionId: null })
    })

    it('records a disabled user: every session, the new minimum token version and user.disabled', async () => {
      const server = await serve(dialect)
      const first = await signUp(server.app, 'ann@example.com')
      const second = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const bob = await signUp(server.app, 'bob@example.com')
      const userId = first.body.user?.id as string
      const revokedIds = [first.body.session?.id as string, second.body.session?.id as string].sort()
      const since = await lastSeqs(server)

      const disabled = await server.tessera.services.users.disable(userId, { kind: 'cli' })
      expect(disabled).toMatchObject({ status: 'disabled', tokenVersion: 2 })

      const { revocations, events } = await writtenSince(server, since)
      expect(revocations.map((each) => each.entry)).toEqual([
        ...revokedIds.map((sid) => ({ kind: 'session', sid })),
        { kind: 'user_token_version', sub: userId, minTokenVersion: 2 },
      ])
      expect(events.map((each) => each.type)).toEqual(['session.revoked', 'session.revoked', 'user.sessions_revoked', 'user.disabled'])
      expect(events.every((each) => each.userId === userId && each.actor.kind === 'cli')).toBe(true)
      expect(events.at(-2)?.payload).toMatchObject({ reason: 'user_disabled' })
      await expectProblem(getSession(server, first.token), 401, 'session_revoked')
      await expectProblem(getSession(server, second.token), 401, 'session_revoked')
      expect((await getSession(server, bob.token)).statusCode).toBe(200)
    })

    it('keeps a session live, and logs nothing, when its revocation cannot be recorded', async () => {
      const server = await serve(dialect)
      const ann = await signUp(server.app, 'ann@example.com')
      const other = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const since = await lastSeqs(server)
      await failOnEvent(server, dialect, 'session.revoked')

      const response = await server.app.inject({
        method: 'DELETE',
        url: `/v1/sessions/${ann.body.session?.id}`,
        headers: bearer(other.token),
      })
      await expectProblem(response, 500, 'internal_error')

      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      expect((await server.tessera.stores.sessions.findById(ann.body.session?.id as string))?.revokedAt).toBeNull()
      const written = await writtenSince(server, since)
      expect(written.revocations).toEqual([])
      expect(written.events).toEqual([])
    })

    it('keeps every session and the token version when scope all cannot be recorded', async () => {
      const server = await serve(dialect)
      const ann = await signUp(server.app, 'ann@example.com')
      const other = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const since = await lastSeqs(server)
      await failOnEvent(server, dialect, 'user.sessions_revoked')

      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/sessions/revoke',
        headers: bearer(ann.token),
        payload: { scope: 'all' },
      })
      await expectProblem(response, 500, 'internal_error')

      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      expect((await getSession(server, other.token)).statusCode).toBe(200)
      expect((await server.tessera.stores.users.findById(ann.body.user?.id as string))?.tokenVersion).toBe(1)
      expect((await writtenSince(server, since)).revocations).toEqual([])
    })

    it('leaves the user active with live sessions when disabling cannot be recorded', async () => {
      const server = await serve(dialect)
      const ann = await signUp(server.app, 'ann@example.com')
      const userId = ann.body.user?.id as string
      const since = await lastSeqs(server)
      await failOnEvent(server, dialect, 'user.disabled')

      await expect(server.tessera.services.users.disable(userId, { kind: 'cli' })).rejects.toThrow()

      expect(await server.tessera.stores.users.findById(userId)).toMatchObject({ status: 'active', tokenVersion: 1 })
      expect((await getSession(server, ann.token)).statusCode).toBe(200)
      const written = await writtenSince(server, since)
      expect(written.revocations).toEqual([])
      expect(written.events).toEqual([])
    })
  })
}

/** On PostgreSQL, holds every transaction that writes the revocation log open a little longer, so two can overlap. */
async function slowRevocationLog(server: TestServer, dialect: DialectName) {
  // SQLite runs one transaction at a time on its one connection; only PostgreSQL can interleave them.
  if (dialect !== 'postgres') return
  const db = server.tessera.database.db
  await sql
    .raw(`create function slow_log() returns trigger language plpgsql as $$ begin perform pg_sleep(0.3); return new; end $$`)
    .execute(db)
  await sql.raw(`create trigger slow_log before insert on revocation_log for each row execute function slow_log()`).execute(db)
}

for (const dialect of DIALECTS) {
  describe(`concurrent revocation on ${dialect}`, () => {
    it('revokes a session once when two requests revoke it at the same time: one 204, one 404, one record', async () => {
      const server = await serve(dialect)
      const target = await signUp(server.app, 'ann@example.com')
      const first = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const second = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const sid = target.body.session?.id as string
      await slowRevocationLog(server, dialect)
      const since = await lastSeqs(server)

      const responses = await Promise.all(
        [first, second].map((caller) => server.app.inject({ method: 'DELETE', url: `/v1/sessions/${sid}`, headers: bearer(caller.token) })),
      )

      expect(responses.map((response) => response.statusCode).sort()).toEqual([204, 404])
      const written = await writtenSince(server, since)
      expect(written.revocations.map((each) => each.entry)).toEqual([{ kind: 'session', sid }])
      expect(written.events.map((each) => each.type)).toEqual(['session.revoked'])
    })

    it('signs out once when the same session signs out twice at the same time', async () => {
      const server = await serve(dialect)
      const ann = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      await slowRevocationLog(server, dialect)
      const since = await lastSeqs(server)

      const responses = await Promise.all(
        [1, 2].map(() => server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: bearer(ann.token) })),
      )

      // The other request may be refused or may succeed without effect; either way the session is revoked once.
      expect(responses.map((response) => response.statusCode)).toContain(204)
      const written = await writtenSince(server, since)
      expect(written.revocations).toHaveLength(1)
      expect(written.events.map((each) => each.type)).toEqual(['session.revoked'])
    })

    it('disables a user once when two disables race: one set of records, one token version raise', async () => {
      const server = await serve(dialect)
      const ann = await signUp(server.app, 'ann@example.com')
      const userId = ann.body.user?.id as string
      await slowRevocationLog(server, dialect)
      const since = await lastSeqs(server)

      const results = await Promise.all([1, 2].map(() => server.tessera.services.users.disable(userId, { kind: 'cli' })))

      expect(results.map((user) => user.status)).toEqual(['disabled', 'disabled'])
      expect((await server.tessera.stores.users.findById(userId))?.tokenVersion).toBe(2)
      const written = await writtenSince(server, since)
      expect(written.revocations.map((each) => each.entry)).toEqual([
        { kind: 'session', sid: ann.body.session?.id },
        { kind: 'user_token_version', sub: userId, minTokenVersion: 2 },
      ])
      expect(written.events.map((each) => each.type)).toEqual(['session.revoked', 'user.sessions_revoked', 'user.disabled'])
    })
  })
}
