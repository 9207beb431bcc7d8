import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'
import { signUp, type TestServer } from '../../test/test-server.js'

const CLI = { kind: 'cli' } as const

/** A GitHub connection, Ann (password) with a linked identity, and Jim (made by the upstream: no password, one identity). */
async function linkedUsers(server: TestServer) {
  const { tessera } = server
  const connection = await tessera.connections.service.create({ preset: 'github', clientId: 'gh', clientSecret: 'gh-secret' }, CLI)
  const ann = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
  const annId = ann.body.user?.id as string
  const profile = (subject: string, email: string) => ({ connectionId: connection.id, subject, email, emailVerified: true, name: null })
  const annIdentity = await tessera.connections.federation.link(annId, profile('1001', 'ann@example.com'), CLI, 'account_page', null)
  const jim = await tessera.connections.federation.signUp(profile('1002', 'jim@example.com'), null, async () => null)
  const [jimIdentity] = await tessera.stores.identities.listByUser(jim.user.id)
  return { connection, annId, annIdentity, jimId: jim.user.id, jimIdentityId: jimIdentity?.id as string }
}

for (const dialect of DIALECTS) {
  describe(`admin API: a user's linked identities on ${dialect}`, () => {
    it('lists them with their connection, unlinks one (audited as identity.unlinked, as the account page does), and refuses the last way to sign in unless forced', async ({
      onTestFinished,
    }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const { tessera } = admin.server
      const { connection, annId, annIdentity, jimId, jimIdentityId } = await linkedUsers(admin.server)

      const listed = await admin.call('GET', `/users/${annId}/identities`)
      expect(listed.statusCode, listed.body).toBe(200)
      expect(listed.json()).toEqual({
        identities: [
          {
            id: annIdentity.id,
            connectionId: connection.id,
            connectionName: 'GitHub',
            subject: '1001',
            email: 'ann@example.com',
            createdAt: '2026-01-01T00:00:00.000Z',
            lastUsedAt: '2026-01-01T00:00:00.000Z',
          },
        ],
      })
      expect(listed.headers['cache-control']).toBe('no-store')

      // Jim has no password: his only identity is his only way to sign in.
      expectProblem(await admin.call('DELETE', `/users/${jimId}/identities/${jimIdentityId}`), 409, 'last_sign_in_method')
      expectProblem(await admin.call('DELETE', `/users/${jimId}/identities/${jimIdentityId}?force=false`), 409, 'last_sign_in_method')
      expect(await tessera.stores.identities.listByUser(jimId)).toHaveLength(1)

      // Ann keeps her password, so hers goes without force.
      const unlinked = await admin.call('DELETE', `/users/${annId}/identities/${annIdentity.id}`)
      expect(unlinked.statusCode, unlinked.body).toBe(204)
      expect((await admin.call('GET', `/users/${annId}/identities`)).json()).toEqual({ identities: [] })

      const forced = await admin.call('DELETE', `/users/${jimId}/identities/${jimIdentityId}?force=true`)
      expect(forced.statusCode, forced.body).toBe(204)
      expect(await tessera.stores.identities.listByUser(jimId)).toEqual([])

      const events = (await tessera.stores.events.listAfter(0, 1000)).filter((event) => event.type === 'identity.unlinked')
      expect(events).toMatchObject([
        {
          userId: annId,
          actor: { kind: 'application', id: admin.clientId },
          payload: { identityId: annIdentity.id, connectionId: connection.id, by: 'application' },
        },
        {
          userId: jimId,
          actor: { kind: 'application', id: admin.clientId },
          payload: { identityId: jimIdentityId, connectionId: connection.id, by: 'application', forced: true },
        },
      ])
      expect(events[0]?.payload.forced).toBeUndefined()
      await tessera.services.audit.catchUp()
      const audit = (await tessera.services.audit.list({ action: 'identity.unlinked', limit: 10 })).entries
      expect(audit.map((entry) => entry.detail)).toEqual(
        expect.arrayContaining([{ identityId: jimIdentityId, by: 'application', forced: true }]),
      )
    })
  })
}

describe("admin API: a user's linked identities, permissions and bad input", () => {
  it('needs admin:write to unlink, answers 404 for an unknown user or identity, 400 for malformed ids, and changes nothing', async ({
    onTestFinished,
  }) => {
    const admin = await adminHarness(onTestFinished)
    const { annId, annIdentity, jimId } = await linkedUsers(admin.server)
    const reader = await admin.tokenWith('admin:read')
    expect((await admin.call('GET', `/users/${annId}/identities`, { token: reader })).statusCode).toBe(200)
    expectProblem(await admin.call('DELETE', `/users/${annId}/identities/${annIdentity.id}`, { token: reader }), 403, 'insufficient_scope')
    expectProblem(await admin.call('GET', `/users/${annId}/identities`, { token: null }), 401, 'unauthenticated')
    expectProblem(await admin.call('GET', '/users/usr_AAAAAAAAAAAAAAAAAAAAAA/identities'), 404, 'user_not_found')
    // Another user's identity is not found under this user.
    expectProblem(await admin.call('DELETE', `/users/${jimId}/identities/${annIdentity.id}`), 404, 'identity_not_found')
    expectProblem(await admin.call('DELETE', `/users/${annId}/identities/idn_missing`), 404, 'identity_not_found')
    expectProblem(await admin.call('DELETE', `/users/${annId}/identities/not-an-id`), 400, 'invalid_request')
    expectProblem(await admin.call('DELETE', `/users/${annId}/identities/${annIdentity.id}?force=yes`), 400, 'invalid_request')
    expect(await admin.server.tessera.stores.identities.listByUser(annId)).toHaveLength(1)
    const events = await admin.server.tessera.stores.events.listAfter(0, 1000)
    expect(events.some((event) => event.type === 'identity.unlinked')).toBe(false)
  })
})
