import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { adminHarness } from '../../test/admin-client.js'
import { renderAdminApiReference } from './admin-api-reference.js'
import type { OpenApiDocument } from './admin-openapi.js'
import { describeAdminApi } from './describe-admin-api.js'

describe('admin API OpenAPI document', () => {
  it('serves an OpenAPI 3.1 document of every admin route, with its permission, to an admin token', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const response = await admin.call('GET', '/openapi.json')
    expect(response.statusCode, response.body).toBe(200)
    const document = response.json() as OpenApiDocument
    expect(document.openapi).toBe('3.1.0')
    const users = document.paths['/admin/v1/users/{userId}']
    expect(Object.keys(users ?? {})).toEqual(['get', 'patch', 'delete'])
    expect(users?.get).toMatchObject({
      'x-permission': 'admin:read',
      security: [{ adminToken: ['admin:read'] }],
      parameters: [{ name: 'userId', in: 'path', required: true }],
    })
    const create = document.paths['/admin/v1/users']?.post
    expect(create?.requestBody?.content['application/json'].schema).toMatchObject({
      additionalProperties: false,
      required: ['email', 'password'],
    })
    expect(Object.keys(create?.responses ?? {})).toEqual(expect.arrayContaining(['201', '400', '401', '403', '409']))
    // Without a token it is refused like every admin route.
    expect((await admin.call('GET', '/openapi.json', { token: null })).statusCode).toBe(401)
  })

  it('is the same document whether served or described offline', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const served = (await admin.call('GET', '/openapi.json')).json()
    expect(await describeAdminApi()).toEqual(served)
  })

  it('keeps docs/admin-api-reference.md equal to what the document renders (npm run docs:admin-api)', async () => {
    const committed = readFileSync(new URL('../../../../docs/admin-api-reference.md', import.meta.url), 'utf8')
    expect(committed).toBe(renderAdminApiReference(await describeAdminApi()))
  })
})
