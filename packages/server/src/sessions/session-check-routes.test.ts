import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bearer, expectCookieCleared } from '../../test/session-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { createTestServer, ORIGIN, signIn, signUp, type TestServer } from '../../test/test-server.js'

// GET /v1/session and /v1/sessions: which credentials authenticate, how a refused one is answered.

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
