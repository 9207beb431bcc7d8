import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { cli, jsonErrorCode } from '../../test/cli-harness.js'
import { DIALECTS } from '../../test/test-database.js'

const API = 'https://api.example.test'

for (const dialect of DIALECTS) {
  describe(`admin APIs on ${dialect}`, () => {
    it('registers, reads, changes an API and its permissions, and deletes it', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const created = await admin.call('POST', '/apis', { payload: { identifier: API, name: 'Orders', mode: 'hybrid', scopes: ['read'] } })
      expect(created.statusCode, created.body).toBe(201)
      const id = created.json().api.id as string
      expect(created.json().api).toMatchObject({ identifier: API, mode: 'hybrid', scopes: ['read'] })

      const patched = await admin.call('PATCH', `/apis/${id}`, { payload: { name: 'Orders v2', mode: 'jwt', accessTokenTtl: 120 } })
      expect(patched.json().api).toMatchObject({ name: 'Orders v2', mode: 'jwt', accessTokenTtl: 120, identifier: API })

      const added = await admin.call('POST', `/apis/${id}/permissions`, { payload: { permissions: ['write', 'read', 'orders:refund'] } })
      expect(added.json().api.scopes).toEqual(['read', 'write', 'orders:refund'])
      const removed = await admin.call('DELETE', `/apis/${id}/permissions/write`)
      expect(removed.json().api.scopes).toEqual(['read', 'orders:refund'])
      expectProblem(await admin.call('DELETE', `/apis/${id}/permissions/write`), 404, 'not_found')

      expect((await admin.call('GET', `/apis/${id}`)).json().api.name).toBe('Orders v2')
      const identifiers = (await admin.call('GET', '/apis')).json().apis.map((api: { identifier: string }) => api.identifier)
      expect(identifiers.sort()).toEqual([API, 'urn:tessera:admin'])
      expect((await admin.call('DELETE', `/apis/${id}`)).statusCode).toBe(204)
      expectProblem(await admin.call('GET', `/apis/${id}`), 404, 'api_not_found')
    })
  })
}

describe('admin APIs: the built-in admin API and bad input', () => {
  it('refuses to change or delete urn:tessera:admin, over HTTP and the CLI', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const builtIn = 'api_tessera_admin'
    const before = (await admin.call('GET', `/apis/${builtIn}`)).json()
    expectProblem(await admin.call('PATCH', `/apis/${builtIn}`, { payload: { mode: 'jwt' } }), 409, 'builtin_protected')
    expectProblem(
      await admin.call('POST', `/apis/${builtIn}/permissions`, { payload: { permissions: ['admin:root'] } }),
      409,
      'builtin_protected',
    )
    expectProblem(await admin.call('DELETE', `/apis/${builtIn}/permissions/admin:write`), 409, 'builtin_protected')
    expectProblem(await admin.call('DELETE', `/apis/${builtIn}`), 409, 'builtin_protected')
    expectProblem(
      await admin.call('POST', '/apis', { payload: { identifier: 'urn:tessera:admin', name: 'x', mode: 'jwt' } }),
      409,
      'api_exists',
    )
    expect((await admin.call('GET', `/apis/${builtIn}`)).json()).toEqual(before)

    const env = { TESSERA_DATABASE_URL: admin.server.tessera.config.databaseUrl, TESSERA_MASTER_KEY: admin.server.tessera.config.masterKey }
    const result = await cli(env, ['apis', 'delete', 'urn:tessera:admin', '--json'])
    expect(result.code).toBe(1)
    expect(jsonErrorCode(result)).toBe('builtin_protected')
    expect((await admin.call('GET', `/apis/${builtIn}`)).json()).toEqual(before)
  })

  it('refuses wrong types, unknown fields, bad identifiers and scope names, and changes nothing', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const before = (await admin.call('GET', '/apis')).json()
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/apis', { identifier: API, name: 'x', mode: 'fast' }, 400, 'invalid_request'],
      ['POST', '/apis', { identifier: API, name: 'x', mode: 'jwt', id: 'api_mine' }, 400, 'invalid_request'],
      ['POST', '/apis', { identifier: 'not a uri', name: 'x', mode: 'jwt' }, 400, 'invalid_request'],
      ['POST', '/apis', { identifier: `${API}#frag`, name: 'x', mode: 'jwt' }, 400, 'invalid_request'],
      ['POST', '/apis', { identifier: API, name: 'x', mode: 'jwt', scopes: ['has space'] }, 400, 'invalid_request'],
      ['POST', '/apis', { identifier: API, name: 'x', mode: 'jwt', accessTokenTtl: 10 }, 400, 'invalid_request'],
      ['PATCH', '/apis/api_AAAAAAAAAAAAAAAA', { name: 'x' }, 404, 'api_not_found'],
      ['PATCH', '/apis/api_tessera_admin', { identifier: API }, 400, 'invalid_request'],
      ['POST', '/apis/api_AAAAAAAAAAAAAAAA/permissions', { permissions: [] }, 400, 'invalid_request'],
      ['GET', `/apis/${encodeURIComponent(API)}`, undefined, 400, 'invalid_request'],
    ]
    for (const [method, url, payload, status, code] of cases) {
      const response = await admin.call(method as 'POST', url, payload === undefined ? {} : { payload })
      expect(response.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${response.body}`).toBe(status)
      expect(response.json().code).toBe(code)
    }
    expect((await admin.call('GET', '/apis')).json()).toEqual(before)
  })
})
