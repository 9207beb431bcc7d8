import { describe, expect, it } from 'vitest'
import { adminHarness, clientCredentials, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'

const API = 'https://api.example.test'

for (const dialect of DIALECTS) {
  describe(`admin applications on ${dialect}`, () => {
    it('registers, reads, changes, rotates the secret of and deletes an application', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      expect(
        (await admin.call('POST', '/apis', { payload: { identifier: API, name: 'API', mode: 'jwt', scopes: ['read', 'write'] } }))
          .statusCode,
      ).toBe(201)
      const created = await admin.call('POST', '/applications', {
        payload: { name: 'Worker', type: 'm2m', apis: [API], scopes: ['read'] },
      })
      expect(created.statusCode, created.body).toBe(201)
      const { clientId, clientSecret } = created.json()
      expect(created.json().application).toMatchObject({ clientId, type: 'm2m', grants: ['client_credentials'], scopes: ['read'] })
      expect(typeof clientSecret).toBe('string')
      expect(created.json().application.secretHash).toBeUndefined()

      const listed = (await admin.call('GET', '/applications')).json().applications.map((app: { clientId: string }) => app.clientId)
      expect(listed).toEqual(expect.arrayContaining([admin.clientId, clientId]))
      expect((await admin.call('GET', `/applications/${clientId}`)).json().application.name).toBe('Worker')

      const patched = await admin.call('PATCH', `/applications/${clientId}`, {
        payload: { name: 'Worker 2', scopes: ['read', 'write'], accessTokenTtl: 60 },
      })
      expect(patched.statusCode, patched.body).toBe(200)
      expect(patched.json().application).toMatchObject({ name: 'Worker 2', scopes: ['read', 'write'], accessTokenTtl: 60, type: 'm2m' })

      const rotated = await admin.call('POST', `/applications/${clientId}/rotate-secret`)
      expect(rotated.statusCode, rotated.body).toBe(200)
      const fresh = rotated.json().clientSecret as string
      expect(fresh).not.toBe(clientSecret)
      const token = await clientCredentials(admin.server, clientId, fresh, API, 'read write')
      expect(token).toBeTruthy()

      expect((await admin.call('DELETE', `/applications/${clientId}`)).statusCode).toBe(204)
      expectProblem(await admin.call('GET', `/applications/${clientId}`), 404, 'application_not_found')
    })
  })
}

describe('admin applications: web origins', () => {
  it('sets the web origins of a browser app, shows them, and returns to the default with null', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const created = await admin.call('POST', '/applications', {
      payload: { name: 'SPA', type: 'spa', redirectUris: ['https://spa.example.test/cb'], firstParty: true },
    })
    expect(created.statusCode, created.body).toBe(201)
    const { clientId } = created.json()
    expect(created.json().application).toMatchObject({
      webOrigins: null,
      allowedWebOrigins: ['https://spa.example.test'],
      firstParty: true,
    })

    const set = await admin.call('PATCH', `/applications/${clientId}`, {
      payload: { webOrigins: ['http://localhost:5173', 'https://spa.example.test'], postLogoutRedirectUris: ['https://spa.example.test/'] },
    })
    expect(set.statusCode, set.body).toBe(200)
    const expected = {
      webOrigins: ['http://localhost:5173', 'https://spa.example.test'],
      postLogoutRedirectUris: ['https://spa.example.test/'],
    }
    expect(set.json().application).toMatchObject({ ...expected, allowedWebOrigins: expected.webOrigins })
    expect((await admin.call('GET', `/applications/${clientId}`)).json().application).toMatchObject(expected)

    const reset = await admin.call('PATCH', `/applications/${clientId}`, { payload: { webOrigins: null } })
    expect(reset.json().application).toMatchObject({ webOrigins: null, allowedWebOrigins: ['https://spa.example.test'] })
  })
})

describe('admin applications: bad input changes nothing', () => {
  it('refuses unknown fields, wrong types, rule breaks and unknown ids', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const before = (await admin.call('GET', '/applications')).json()
    const cases: [string, string, unknown, number, string][] = [
      ['POST', '/applications', { name: 'x', type: 'm2m', secretHash: 'mine' }, 400, 'invalid_request'],
      ['POST', '/applications', { name: 'x', type: 'admin' }, 400, 'invalid_request'],
      ['POST', '/applications', { name: 'x', type: 'spa', grants: ['client_credentials'] }, 400, 'invalid_request'],
      ['POST', '/applications', { name: 'x', type: 'web', redirectUris: ['http://evil.example/*'] }, 400, 'invalid_request'],
      ['POST', '/applications', { name: 'x', type: 'm2m', apis: ['https://nowhere.example'] }, 404, 'api_not_found'],
      ['POST', '/applications', { name: 'x', type: 'm2m', accessTokenTtl: '60' }, 400, 'invalid_request'],
      ['PATCH', `/applications/${admin.clientId}`, { type: 'web' }, 400, 'invalid_request'],
      ['PATCH', `/applications/${admin.clientId}`, {}, 400, 'invalid_request'],
      ['PATCH', `/applications/${admin.clientId}`, { redirectUris: ['https://app.example/cb'] }, 400, 'invalid_request'],
      ['PATCH', '/applications/AAAAAAAAAAAAAAAAAAAAAA', { name: 'x' }, 404, 'application_not_found'],
      ['POST', '/applications/AAAAAAAAAAAAAAAAAAAAAA/rotate-secret', undefined, 404, 'application_not_found'],
      // A well-formed id of another kind of object is simply not an application.
      ['DELETE', '/applications/usr_AAAAAAAAAAAAAAAAAAAAAA', undefined, 404, 'application_not_found'],
      ['DELETE', '/applications/short', undefined, 400, 'invalid_request'],
      ['POST', '/applications', { name: 'x', type: 'spa', webOrigins: ['https://spa.example/'] }, 400, 'invalid_request'],
      ['POST', '/applications', { name: 'x', type: 'spa', webOrigins: ['http://spa.example'] }, 400, 'invalid_request'],
      ['POST', '/applications', { name: 'x', type: 'm2m', webOrigins: ['https://spa.example'] }, 400, 'invalid_request'],
      ['POST', '/applications', { name: 'x', type: 'spa', webOrigins: 'https://spa.example' }, 400, 'invalid_request'],
      ['PATCH', `/applications/${admin.clientId}`, { webOrigins: ['https://*.example'] }, 400, 'invalid_request'],
    ]
    for (const [method, url, payload, status, code] of cases) {
      const response = await admin.call(method as 'POST', url, payload === undefined ? {} : { payload })
      expect(response.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${response.body}`).toBe(status)
      expect(response.json().code).toBe(code)
    }
    expect((await admin.call('GET', '/applications')).json()).toEqual(before)
  })
})
