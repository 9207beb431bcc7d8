import { describe, expect, it } from 'vitest'
import {
  bearer,
  expectProblem,
  failOnEvent,
  getSession,
  lastSeqs,
  MINUTE,
  SECOND,
  serve,
  writtenSince,
} from '../../test/session-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { signIn, signUp } from '../../test/test-server.js'

// What revoking a session writes to the revocation log and the outbox, in the same transaction: all of it or none.

for (const dialect of DIALECTS) {
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
