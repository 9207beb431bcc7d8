import { describe, expect, it } from 'vitest'
import { adminHarness, clientCredentials, expectProblem } from '../../test/admin-client.js'
import type { OpenApiDocument } from './admin-openapi.js'

const CLI = { kind: 'cli' } as const
const OTHER_API = 'https://other.example.test'

/** A plausible value for each path parameter, so the request reaches the auth hook with a real shape. */
const SAMPLE: Record<string, string> = {
  userId: 'usr_AAAAAAAAAAAAAAAAAAAAAA',
  sessionId: 'AAAAAAAAAAAAAAAAAAAAAA',
  clientId: 'AAAAAAAAAAAAAAAAAAAAAA',
  apiId: 'api_AAAAAAAAAAAAAAAA',
  permission: 'read',
  kid: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  endpointId: 'ep_AAAAAAAAAAAAAAAAAAAAAA',
  roleId: 'rol_AAAAAAAAAAAAAAAAAAAAAA',
}

describe('admin API crawl: deny by default', () => {
  it('refuses every admin route without a token (401), with another API’s token (401) and without the permission (403)', async ({
    onTestFinished,
  }) => {
    const admin = await adminHarness(onTestFinished)
    const { services } = admin.server.tessera
    await services.apis.create({ identifier: OTHER_API, name: 'Other', mode: 'jwt', scopes: ['admin:read', 'admin:write'] }, CLI)
    const other = await services.applications.create(
      { name: 'Other', type: 'm2m', apis: [OTHER_API], scopes: ['admin:read', 'admin:write'] },
      CLI,
    )
    const otherToken = await clientCredentials(
      admin.server,
      other.application.id,
      other.clientSecret as string,
      OTHER_API,
      'admin:read admin:write',
    )
    const byPermission = { 'admin:read': await admin.tokenWith('admin:write'), 'admin:write': await admin.tokenWith('admin:read') }

    const document = (await admin.call('GET', '/openapi.json')).json() as OpenApiDocument
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
    )
    // Every resource of issue 5 is in the document (a route that is not cannot be crawled).
    const tags = new Set(operations.flatMap(({ operation }) => operation.tags))
    expect([...tags].sort()).toEqual(
      expect.arrayContaining(['apis', 'applications', 'audit', 'keys', 'meta', 'roles', 'sessions', 'users', 'webhooks']),
    )
    const before = await services.users.list({ limit: 10 })

    for (const { path, method, operation } of operations) {
      const url = path.replace('/admin/v1', '').replace(/\{(\w+)\}/g, (_m, name: string) => SAMPLE[name] ?? 'x')
      const payload = method === 'GET' || method === 'DELETE' ? undefined : {}
      const label = `${method} ${path}`
      const anonymous = await admin.call(method as 'GET', url, { token: null, payload })
      expect(anonymous.statusCode, label).toBe(401)
      const foreign = await admin.call(method as 'GET', url, { token: otherToken, payload })
      expect(foreign.statusCode, label).toBe(401)
      expectProblem(foreign, 401, 'invalid_token')
      const permission = operation['x-permission'] as 'admin:read' | 'admin:write'
      const lacking = await admin.call(method as 'GET', url, { token: byPermission[permission], payload })
      expect(lacking.statusCode, label).toBe(403)
      expect(lacking.json().code, label).toBe('insufficient_scope')
    }
    // Reads need admin:read, writes admin:write.
    for (const { method, operation, path } of operations) {
      expect(operation['x-permission'], `${method} ${path}`).toBe(method === 'GET' ? 'admin:read' : 'admin:write')
    }
    expect(await services.users.list({ limit: 10 })).toEqual(before)
  })
})
