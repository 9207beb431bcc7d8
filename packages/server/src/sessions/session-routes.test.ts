import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DIALECTS } from '../../test/test-database.js'
import { createTestServer, ORIGIN, signIn, signUp, type TestServer } from '../../test/test-server.js'

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
