import { describe, expect, it } from 'vitest'
import { expectProblem, getSession, listSessions, SECOND, serve } from '../../test/session-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { PASSWORD, signIn, signUp } from '../../test/test-server.js'

// A session's idle and absolute expiry on the injected clock, its last activity, and what a listing shows of it.

for (const dialect of DIALECTS) {
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
}
