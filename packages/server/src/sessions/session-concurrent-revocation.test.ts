import { describe, expect, it } from 'vitest'
import { bearer, lastSeqs, serve, slowRevocationLog, writtenSince } from '../../test/session-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { signIn, signUp } from '../../test/test-server.js'

// Two requests revoking the same thing at once: it is revoked, and recorded, once.

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
