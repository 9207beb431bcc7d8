import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'

for (const dialect of DIALECTS) {
  describe(`admin signing keys on ${dialect}`, () => {
    it('lists keys without private material, rotates (scheduled and immediate) and revokes', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const list = await admin.call('GET', '/keys')
      expect(list.statusCode, list.body).toBe(200)
      const [first] = list.json().keys
      expect(first).toMatchObject({ state: 'active', alg: 'ES256' })
      expect(list.body).not.toMatch(/private|encrypted|"d"/i)

      const scheduled = await admin.call('POST', '/keys/rotate', { payload: {} })
      expect(scheduled.statusCode, scheduled.body).toBe(201)
      expect(scheduled.json().key.state).toBe('next')
      const now = await admin.call('POST', '/keys/rotate', { payload: { immediate: true } })
      expect(now.json().key.state).toBe('active')

      // The admin token stays good: it is an opaque reference, not signed by the old key.
      const revoked = await admin.call('POST', `/keys/${first.kid}/revoke`)
      expect(revoked.statusCode, revoked.body).toBe(200)
      expect(revoked.json().key.state).toBe('revoked')
      expectProblem(await admin.call('POST', `/keys/${first.kid}/revoke`), 404, 'key_not_found')
      const events = await admin.server.tessera.stores.events.listAfter(0, 1000)
      expect(events.find((event) => event.type === 'key.revoked')?.actor).toEqual({ kind: 'application', id: admin.clientId })
    })
  })
}

describe('admin signing keys: bad input', () => {
  it('refuses unknown fields, wrong types and malformed kids, and changes nothing', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const before = (await admin.call('GET', '/keys')).json()
    expectProblem(await admin.call('POST', '/keys/rotate', { payload: { immediate: 'yes' } }), 400, 'invalid_request')
    expectProblem(await admin.call('POST', '/keys/rotate', { payload: { alg: 'HS256' } }), 400, 'invalid_request')
    expectProblem(await admin.call('POST', '/keys/not!a!kid/revoke'), 400, 'invalid_request')
    expectProblem(await admin.call('POST', `/keys/${'A'.repeat(43)}/revoke`), 404, 'key_not_found')
    expect((await admin.call('GET', '/keys')).json()).toEqual(before)
  })
})
