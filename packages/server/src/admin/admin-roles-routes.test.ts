import { describe, expect, it } from 'vitest'
import { adminHarness, clientCredentials, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'
import { signUp } from '../../test/test-server.js'

const API = 'https://api.example.test'

for (const dialect of DIALECTS) {
  describe(`admin roles on ${dialect}`, () => {
    it('creates a role, grants it permissions, assigns it to a user and an application, and takes it back', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      await admin.call('POST', '/apis', { payload: { identifier: API, name: 'Orders', mode: 'jwt', scopes: ['read', 'write'] } })
      const created = await admin.call('POST', '/roles', { payload: { name: 'orders-reader', description: 'Reads orders' } })
      expect(created.statusCode, created.body).toBe(201)
      const roleId = created.json().role.id as string

      const granted = await admin.call('POST', `/roles/${roleId}/permissions`, { payload: { api: API, permissions: ['read', 'write'] } })
      expect(granted.statusCode, granted.body).toBe(200)
      expect(granted.json().role.permissions).toEqual([
        { api: API, permission: 'read' },
        { api: API, permission: 'write' },
      ])
      const narrowed = await admin.call('DELETE', `/roles/${roleId}/permissions?api=${encodeURIComponent(API)}&permission=write`)
      expect(narrowed.json().role.permissions).toEqual([{ api: API, permission: 'read' }])

      const { body } = await signUp(admin.server.app, 'ann@example.com')
      const userId = body.user?.id as string
      expect((await admin.call('PUT', `/users/${userId}/roles/${roleId}`)).statusCode).toBe(204)
      expect((await admin.call('PUT', `/users/${userId}/roles/${roleId}`)).statusCode).toBe(204)
      expect((await admin.call('GET', `/users/${userId}/roles`)).json().roles.map((role: { name: string }) => role.name)).toEqual([
        'orders-reader',
      ])

      const worker = await admin.call('POST', '/applications', {
        payload: { name: 'Worker', type: 'm2m', apis: [API], scopes: ['read', 'write'] },
      })
      const { clientId, clientSecret } = worker.json()
      expect((await admin.call('PUT', `/applications/${clientId}/roles/${roleId}`)).statusCode).toBe(204)
      expect((await admin.call('GET', `/applications/${clientId}/roles`)).json().roles).toHaveLength(1)
      const token = await clientCredentials(admin.server, clientId, clientSecret, API)
      expect(token).toBeTruthy()

      const patched = await admin.call('PATCH', `/roles/${roleId}`, { payload: { description: 'Reads orders, nothing else' } })
      expect(patched.json().role.description).toBe('Reads orders, nothing else')
      expect((await admin.call('GET', `/roles/${roleId}`)).json().role.name).toBe('orders-reader')

      expect((await admin.call('DELETE', `/users/${userId}/roles/${roleId}`)).statusCode).toBe(204)
      expectProblem(await admin.call('DELETE', `/users/${userId}/roles/${roleId}`), 404, 'role_not_assigned')
      expect((await admin.call('DELETE', `/applications/${clientId}/roles/${roleId}`)).statusCode).toBe(204)
      expect((await admin.call('DELETE', `/roles/${roleId}`)).statusCode).toBe(204)
      expectProblem(await admin.call('GET', `/roles/${roleId}`), 404, 'role_not_found')
    })

    it('taking the tessera-admin role from the admin application kills its admin tokens at once', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const held = (await admin.call('GET', `/applications/${admin.clientId}/roles`)).json().roles
      expect(held.map((role: { name: string }) => role.name)).toEqual(['tessera-admin'])
      const spare = await admin.tokenWith('admin:read admin:write')
      expect((await admin.call('DELETE', `/applications/${admin.clientId}/roles/${held[0].id}`)).statusCode).toBe(204)
      expectProblem(await admin.call('GET', '/users', { token: spare }), 401, 'invalid_token')
      // A new token (a second later: cut-offs have whole-second precision) carries what the roles grant now.
      admin.server.clock.advance(1000)
      const response = await admin.server.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${admin.clientId}:${admin.clientSecret}`).toString('base64')}`,
        },
        payload: new URLSearchParams({ grant_type: 'client_credentials', resource: 'urn:tessera:admin' }).toString(),
      })
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json().scope).toBe('')
      expectProblem(await admin.call('GET', '/users', { token: response.json().access_token }), 403, 'insufficient_scope')
    })
  })
}

describe('admin roles: bad input changes nothing', () => {
  it('refuses bad names, unknown permissions, unknown fields and ids of other objects', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const role = (await admin.call('POST', '/roles', { payload: { name: 'support' } })).json().role
    const { body } = await signUp(admin.server.app, 'ann@example.com')
    const before = (await admin.call('GET', '/roles')).json()
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/roles', { name: 'Has Spaces' }, 400, 'invalid_request'],
      ['POST', '/roles', { name: 'support' }, 409, 'role_exists'],
      ['POST', '/roles', { name: 'x', permissions: ['read'] }, 400, 'invalid_request'],
      ['POST', `/roles/${role.id}/permissions`, { api: 'urn:tessera:admin', permissions: ['admin:root'] }, 404, 'permission_not_found'],
      ['POST', `/roles/${role.id}/permissions`, { api: 'https://nowhere.example', permissions: ['read'] }, 404, 'api_not_found'],
      ['POST', `/roles/${role.id}/permissions`, { api: 'urn:tessera:admin', permissions: [] }, 400, 'invalid_request'],
      ['PATCH', `/roles/${role.id}`, {}, 400, 'invalid_request'],
      ['PUT', `/users/${body.user?.id}/roles/rol_AAAAAAAAAAAAAAAA`, undefined, 404, 'role_not_found'],
      ['PUT', `/users/usr_AAAAAAAAAAAAAAAAAAAAAA/roles/${role.id}`, undefined, 404, 'user_not_found'],
      ['PUT', `/users/${body.user?.id}/roles/support`, undefined, 400, 'invalid_request'],
      ['PUT', `/applications/${admin.clientId}/roles/${role.id}`, { now: true }, 400, 'invalid_request'],
      ['GET', `/roles/${admin.clientId}`, undefined, 400, 'invalid_request'],
    ]
    for (const [method, url, payload, status, code] of cases) {
      const response = await admin.call(method as 'POST', url, payload === undefined ? {} : { payload })
      expect(response.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${response.body}`).toBe(status)
      expect(response.json().code).toBe(code)
    }
    expect((await admin.call('GET', '/roles')).json()).toEqual(before)
    expect((await admin.call('GET', `/users/${body.user?.id}/roles`)).json().roles).toEqual([])
  })
})
