import { describe, expect, it } from 'vitest'
import { ADMIN_AUDIENCE, adminHarness, clientCredentials, expectProblem } from '../../test/admin-client.js'

const CLI = { kind: 'cli' } as const

describe('admin API authentication (RFC 6750)', () => {
  it('answers a request without a token with 401 and a bare Bearer challenge', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const response = await admin.call('GET', '/users', { token: null })
    expectProblem(response, 401, 'unauthenticated')
    // RFC 6750 §3.1: no error code when the request carried no credentials.
    expect(response.headers['www-authenticate']).toBe('Bearer realm="tessera-admin"')
  })

  it('refuses malformed headers, other schemes and garbage tokens with invalid_token', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    for (const authorization of [
      'Bearer',
      'Bearer  x',
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'Bearer not a token',
      'Bearer abc.def.ghi',
      `Bearer ${admin.token}x`,
    ]) {
      const response = await admin.call('GET', '/users', { token: null, headers: { authorization } })
      expectProblem(response, 401, 'invalid_token')
      expect(response.headers['www-authenticate']).toBe('Bearer realm="tessera-admin", error="invalid_token"')
    }
  })

  it('takes the token from the Authorization header only, never from the query string', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const response = await admin.call('GET', `/users?access_token=${encodeURIComponent(admin.token)}`, { token: null })
    expect(response.statusCode).toBe(401)
  })

  it('refuses a valid token of another API with 401, whatever its scopes', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const { services } = admin.server.tessera
    for (const mode of ['jwt', 'session'] as const) {
      const identifier = `https://${mode}.example.test`
      await services.apis.create({ identifier, name: 'Other', mode, scopes: ['admin:read', 'admin:write'] }, CLI)
      const { application, clientSecret } = await services.applications.create(
        { name: 'Other', type: 'm2m', apis: [identifier], scopes: ['admin:read', 'admin:write'] },
        CLI,
      )
      const token = await clientCredentials(admin.server, application.id, clientSecret as string, identifier, 'admin:read admin:write')
      expectProblem(await admin.call('GET', '/users', { token }), 401, 'invalid_token')
    }
  })

  it('refuses an admin token once it is revoked, its client deleted, or it has expired', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    expect((await admin.call('GET', '/users')).statusCode).toBe(200)

    // RFC 7009 revocation by its own client.
    const revoked = await admin.tokenWith('admin:read')
    const revocation = await admin.server.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${admin.clientId}:${admin.clientSecret}`).toString('base64')}`,
      },
      payload: new URLSearchParams({ token: revoked }).toString(),
    })
    expect(revocation.statusCode, revocation.body).toBe(200)
    expectProblem(await admin.call('GET', '/users', { token: revoked }), 401, 'invalid_token')

    // Expiry: admin tokens live five minutes.
    admin.server.clock.advance(301_000)
    expectProblem(await admin.call('GET', '/users'), 401, 'invalid_token')
  })

  it('refuses the tokens of a deleted admin application at once', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    await admin.server.tessera.services.applications.delete(admin.clientId, CLI)
    expectProblem(await admin.call('GET', '/users'), 401, 'invalid_token')
  })

  it('answers 403 insufficient_scope when the token lacks the permission the route needs', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const readOnly = await admin.tokenWith('admin:read')
    const writeOnly = await admin.tokenWith('admin:write')
    expect((await admin.call('GET', '/users', { token: readOnly })).statusCode).toBe(200)

    const write = await admin.call('POST', '/users', {
      token: readOnly,
      payload: { email: 'a@example.com', password: 'correct horse battery staple' },
    })
    expectProblem(write, 403, 'insufficient_scope')
    expect(write.headers['www-authenticate']).toBe('Bearer realm="tessera-admin", error="insufficient_scope", scope="admin:write"')
    // Nothing was created.
    expect((await admin.call('GET', '/users')).json().users).toEqual([])

    const read = await admin.call('GET', '/users', { token: writeOnly })
    expectProblem(read, 403, 'insufficient_scope')
    expect(read.headers['www-authenticate']).toContain('scope="admin:read"')
  })

  it('puts unknown admin paths behind authentication too: 401 without a token, 404 with one', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    expectProblem(await admin.call('GET', '/nothing-here', { token: null }), 401, 'unauthenticated')
    expectProblem(await admin.call('GET', '/nothing-here'), 404, 'not_found')
    expectProblem(await admin.call('DELETE', '/users'), 404, 'not_found')
  })

  it('marks every admin response no-store', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    expect((await admin.call('GET', '/users')).headers['cache-control']).toBe('no-store')
  })

  it('the admin API is seeded by migration: urn:tessera:admin exists before any bootstrap', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const api = await admin.server.tessera.services.apis.get(ADMIN_AUDIENCE)
    expect(api).toMatchObject({ identifier: ADMIN_AUDIENCE, mode: 'session', scopes: ['admin:read', 'admin:write'] })
  })
})
