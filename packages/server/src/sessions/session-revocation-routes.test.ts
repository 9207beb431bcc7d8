import { describe, expect, it } from 'vitest'
import {
  bearer,
  expectCookieCleared,
  expectNoCookie,
  expectProblem,
  getSession,
  lastSeqs,
  listSessions,
  SECOND,
  serve,
  writtenSince,
} from '../../test/session-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { ORIGIN, signIn, signUp } from '../../test/test-server.js'

// Revoking sessions over HTTP (sign-out, DELETE /v1/sessions/:id, POST /v1/sessions/revoke): what ends, what stays, what is refused.

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
}
