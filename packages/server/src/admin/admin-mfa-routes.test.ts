import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'
import { signUp } from '../../test/test-server.js'
import { totpCodeAt } from '../mfa/totp.js'

for (const dialect of DIALECTS) {
  describe(`admin MFA on ${dialect}`, () => {
    it("lists a user's factors without secrets, and a reset removes them, raises the token version and is audited", async ({
      onTestFinished,
    }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const { app, tessera, clock } = admin.server
      const ann = await signUp(app, 'ann@example.com', { transport: 'bearer' })
      const annId = ann.body.user?.id as string
      const bearer = { authorization: `Bearer ${ann.token}` }
      const begun = (await app.inject({ method: 'POST', url: '/v1/mfa/totp', headers: bearer, payload: { name: 'Phone' } })).json()
      const confirmed = await app.inject({
        method: 'POST',
        url: '/v1/mfa/totp/confirm',
        headers: bearer,
        payload: { code: totpCodeAt(begun.secret, clock.now()) },
      })
      expect(confirmed.statusCode, confirmed.body).toBe(200)

      const list = await admin.call('GET', `/users/${annId}/mfa`)
      expect(list.statusCode, list.body).toBe(200)
      expect(list.json()).toEqual({
        factors: [{ id: begun.id, kind: 'totp', name: 'Phone', createdAt: expect.any(String), lastUsedAt: expect.any(String) }],
        recoveryCodesLeft: 10,
      })
      expect(list.body).not.toContain(begun.secret)
      expect(list.headers['cache-control']).toBe('no-store')
      // A name the user gives later (PATCH /v1/mfa/{id}) is what operators see.
      const renamed = await app.inject({ method: 'PATCH', url: `/v1/mfa/${begun.id}`, headers: bearer, payload: { name: 'Old phone' } })
      expect(renamed.statusCode, renamed.body).toBe(200)
      expect((await admin.call('GET', `/users/${annId}/mfa`)).json().factors[0].name).toBe('Old phone')

      const versionBefore = (await tessera.stores.users.findById(annId))?.tokenVersion as number
      const reset = await admin.call('DELETE', `/users/${annId}/mfa`)
      expect(reset.statusCode, reset.body).toBe(200)
      expect(reset.json()).toEqual({ removed: 1 })
      expect((await tessera.stores.users.findById(annId))?.tokenVersion).toBe(versionBefore + 1)
      expect((await admin.call('GET', `/users/${annId}/mfa`)).json()).toEqual({ factors: [], recoveryCodesLeft: 0 })
      const events = await tessera.stores.events.listAfter(0, 1000)
      const audited = events.find((event) => event.type === 'mfa.factors_reset')
      expect(audited).toMatchObject({ userId: annId, actor: { kind: 'application', id: admin.clientId }, payload: { removed: 1 } })

      // Ann's password alone signs her in again: the reset left no second factor to ask for.
      const again = await app.inject({
        method: 'POST',
        url: '/v1/sign-in',
        payload: { email: 'ann@example.com', password: 'correct horse battery staple' },
      })
      expect(again.json().mfaRequired).toBeUndefined()
    })
  })
}

describe('admin MFA: permissions and bad input', () => {
  it('needs admin:write to reset, answers 404 for an unknown user and 400 for a malformed id, and changes nothing', async ({
    onTestFinished,
  }) => {
    const admin = await adminHarness(onTestFinished)
    const ann = await signUp(admin.server.app, 'ann@example.com', { transport: 'bearer' })
    const annId = ann.body.user?.id as string
    const reader = await admin.tokenWith('admin:read')
    expect((await admin.call('GET', `/users/${annId}/mfa`, { token: reader })).statusCode).toBe(200)
    expectProblem(await admin.call('DELETE', `/users/${annId}/mfa`, { token: reader }), 403, 'insufficient_scope')
    expectProblem(await admin.call('GET', `/users/${annId}/mfa`, { token: null }), 401, 'unauthenticated')
    expectProblem(await admin.call('GET', '/users/usr_AAAAAAAAAAAAAAAAAAAAAA/mfa'), 404, 'user_not_found')
    expectProblem(await admin.call('DELETE', '/users/usr_AAAAAAAAAAAAAAAAAAAAAA/mfa'), 404, 'user_not_found')
    expectProblem(await admin.call('DELETE', '/users/nobody/mfa'), 400, 'invalid_request')
    const events = await admin.server.tessera.stores.events.listAfter(0, 1000)
    expect(events.some((event) => event.type === 'mfa.factors_reset')).toBe(false)
  })
})

describe('admin API: an application that requires MFA', () => {
  it('creates and changes requireMfa, which shows in the application', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const created = await admin.call('POST', '/applications', {
      payload: { name: 'Bank', type: 'spa', redirectUris: ['https://bank.example/cb'], requireMfa: true },
    })
    expect(created.statusCode, created.body).toBe(201)
    const { clientId, requireMfa } = created.json().application
    expect(requireMfa).toBe(true)
    const changed = await admin.call('PATCH', `/applications/${clientId}`, { payload: { requireMfa: false } })
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.json().application.requireMfa).toBe(false)
    expectProblem(await admin.call('PATCH', `/applications/${clientId}`, { payload: { requireMfa: 'yes' } }), 400, 'invalid_request')
    expect((await admin.call('GET', `/applications/${clientId}`)).json().application.requireMfa).toBe(false)
  })
})
