import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'

const URL_ = 'http://127.0.0.1:9/hooks'

for (const dialect of DIALECTS) {
  describe(`admin webhooks on ${dialect}`, () => {
    it('registers, reads, changes, rotates the secret of and deletes an endpoint', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const created = await admin.call('POST', '/webhooks', {
        payload: { url: URL_, events: ['user.deleted'], allowInsecureDevelopment: true },
      })
      expect(created.statusCode, created.body).toBe(201)
      const { endpoint, secret } = created.json()
      expect(secret).toMatch(/^whsec_/)
      expect(endpoint).toMatchObject({ url: URL_, events: ['user.deleted'] })

      expect((await admin.call('GET', '/webhooks')).json().endpoints).toEqual([endpoint])
      expect((await admin.call('GET', `/webhooks/${endpoint.id}`)).json().endpoint).toEqual(endpoint)
      const patched = await admin.call('PATCH', `/webhooks/${endpoint.id}`, { payload: { events: ['session.revoked', 'user.disabled'] } })
      expect(patched.json().endpoint.events).toEqual(['session.revoked', 'user.disabled'])

      const rotated = await admin.call('POST', `/webhooks/${endpoint.id}/rotate-secret`, { payload: { overlapSeconds: 0 } })
      expect(rotated.statusCode, rotated.body).toBe(200)
      expect(rotated.json()).toMatchObject({ endpointId: endpoint.id, previousSecretExpiresAt: null })
      expect(rotated.json().secret).not.toBe(secret)
      expect((await admin.call('GET', `/webhooks/${endpoint.id}`)).body).not.toContain('whsec_')

      expect((await admin.call('DELETE', `/webhooks/${endpoint.id}`)).statusCode).toBe(204)
      expectProblem(await admin.call('GET', `/webhooks/${endpoint.id}`), 404, 'webhook_not_found')
    })
  })
}

describe('admin webhooks: bad input changes nothing', () => {
  it('refuses unknown events, unknown fields, forbidden targets and unknown ids', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/webhooks', { url: URL_, events: ['user.exploded'], allowInsecureDevelopment: true }, 400, 'invalid_request'],
      ['POST', '/webhooks', { url: URL_, events: [], allowInsecureDevelopment: true }, 400, 'invalid_request'],
      ['POST', '/webhooks', { url: URL_, events: ['user.deleted'], secret: 'whsec_mine' }, 400, 'invalid_request'],
      ['POST', '/webhooks', { url: URL_, events: ['user.deleted'] }, 400, 'webhook_url_invalid'],
      ['POST', '/webhooks', { url: 'https://10.0.0.1/hook', events: ['user.deleted'] }, 400, 'webhook_url_forbidden'],
      ['PATCH', '/webhooks/ep_AAAAAAAAAAAAAAAAAAAAAA', { events: ['user.deleted'] }, 404, 'webhook_not_found'],
      ['POST', '/webhooks/ep_AAAAAAAAAAAAAAAAAAAAAA/rotate-secret', { overlapSeconds: -1 }, 400, 'invalid_request'],
      ['DELETE', '/webhooks/usr_AAAAAAAAAAAAAAAAAAAAAA', undefined, 400, 'invalid_request'],
    ]
    for (const [method, url, payload, status, code] of cases) {
      const response = await admin.call(method as 'POST', url, payload === undefined ? {} : { payload })
      expect(response.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${response.body}`).toBe(status)
      expect(response.json().code).toBe(code)
    }
    expect((await admin.call('GET', '/webhooks')).json().endpoints).toEqual([])
  })
})
