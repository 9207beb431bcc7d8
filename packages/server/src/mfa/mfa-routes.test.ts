import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSoftAuthenticator } from '../../test/soft-authenticator.js'
import { createTestServer, ORIGIN, signIn, signUp, type TestServer } from '../../test/test-server.js'
import { totpCodeAt } from './totp.js'

describe('the /v1/mfa API', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await createTestServer()
  })
  afterEach(async () => {
    await server.close()
  })

  async function bearer(email = 'ann@example.com') {
    await signUp(server.app, email)
    const { token } = await signIn(server.app, email, undefined, { transport: 'bearer' })
    const call = (method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, payload?: Record<string, unknown>) =>
      server.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload !== undefined ? { payload } : {}) })
    return { token, call }
  }

  it('enrols an authenticator app: 201 with the secret and URI, confirmed by a code, then listed without its secret', async () => {
    const { call } = await bearer()
    const begun = await call('POST', '/v1/mfa/totp', { name: 'Phone' })
    expect(begun.statusCode).toBe(201)
    expect(begun.headers['cache-control']).toBe('no-store')
    const { secret, uri, id } = begun.json() as { secret: string; uri: string; id: string }
    expect(uri).toMatch(/^otpauth:\/\/totp\//)
    const confirmed = await call('POST', '/v1/mfa/totp/confirm', { code: totpCodeAt(secret, server.clock.now()) })
    expect(confirmed.statusCode).toBe(200)
    expect(confirmed.json()).toMatchObject({ id, recoveryCodes: expect.any(Array) })
    expect(confirmed.json().recoveryCodes).toHaveLength(10)
    const list = await call('GET', '/v1/mfa')
    expect(list.json()).toEqual({
      factors: [{ id, kind: 'totp', name: 'Phone', createdAt: expect.any(String), lastUsedAt: expect.any(String) }],
    })
    expect(list.body).not.toContain(secret)
  })

  it('refuses a wrong code with invalid_mfa_code and changes nothing', async () => {
    const { call } = await bearer()
    await call('POST', '/v1/mfa/totp', {})
    const wrong = await call('POST', '/v1/mfa/totp/confirm', { code: '000000' })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json().code).toBe('invalid_mfa_code')
    expect((await call('GET', '/v1/mfa')).json()).toEqual({ factors: [] })
  })

  it('registers a passkey through the options and the answer, and removes it', async () => {
    const { call } = await bearer()
    const options = await call('POST', '/v1/mfa/webauthn/options')
    expect(options.statusCode).toBe(200)
    const { challengeId, options: creation } = options.json()
    expect(creation.rp.id).toBe(new URL(ORIGIN).hostname)
    const authenticator = createSoftAuthenticator()
    const registered = await call('POST', '/v1/mfa/webauthn', {
      challengeId,
      response: authenticator.register(creation, ORIGIN),
      name: 'Laptop',
    })
    expect(registered.statusCode).toBe(201)
    expect(registered.json()).toMatchObject({ kind: 'webauthn', name: 'Laptop', recoveryCodes: expect.any(Array) })
    const removed = await call('DELETE', `/v1/mfa/${registered.json().id}`)
    expect(removed.statusCode).toBe(204)
    expect((await call('GET', '/v1/mfa')).json()).toEqual({ factors: [] })
  })

  it('renames a passkey (trimmed, printable, at most 64), audited, and only the owner’s; bad names change nothing', async () => {
    const { call } = await bearer()
    const { challengeId, options: creation } = (await call('POST', '/v1/mfa/webauthn/options')).json()
    const registered = await call('POST', '/v1/mfa/webauthn', {
      challengeId,
      response: createSoftAuthenticator().register(creation, ORIGIN),
      name: 'Laptop',
    })
    const id = registered.json().id as string
    // Renaming needs no recent sign-in: a name is no credential.
    server.clock.advance(10 * 60_000)
    const renamed = await call('PATCH', `/v1/mfa/${id}`, { name: '  Work laptop\u0007 ' })
    expect(renamed.statusCode, renamed.body).toBe(200)
    expect(renamed.json()).toMatchObject({ id, kind: 'webauthn', name: 'Work laptop' })
    expect((await call('GET', '/v1/mfa')).json().factors[0].name).toBe('Work laptop')
    for (const name of ['', '   ', 'x'.repeat(65)]) {
      const bad = await call('PATCH', `/v1/mfa/${id}`, { name })
      expect(bad.statusCode, name).toBe(400)
    }
    expect((await call('PATCH', `/v1/mfa/${id}`, { name: 'ok', extra: 1 })).statusCode).toBe(400)
    expect((await call('PATCH', `/v1/mfa/${id}`, {})).statusCode).toBe(400)
    expect((await call('PATCH', '/v1/mfa/mfa_nope', { name: 'Other' })).statusCode).toBe(404)
    const bob = await bearer('bob@example.com')
    const foreign = await bob.call('PATCH', `/v1/mfa/${id}`, { name: 'Mine now' })
    expect(foreign.statusCode).toBe(404)
    expect(foreign.json().code).toBe('mfa_factor_not_found')
    expect((await call('GET', '/v1/mfa')).json().factors[0].name).toBe('Work laptop')
    // One audited rename: the factor, its kind and the new name (no key material).
    const renames = (await server.tessera.stores.events.listAfter(0, 1000)).filter((event) => event.type === 'mfa.factor_renamed')
    expect(renames.map((event) => event.payload)).toEqual([{ factorId: id, kind: 'webauthn', name: 'Work laptop' }])
  })

  it('needs a recent sign-in to add or remove a factor, and a session at all', async () => {
    const { call } = await bearer()
    server.clock.advance(5 * 60_000 + 1)
    const late = await call('POST', '/v1/mfa/totp', {})
    expect(late.statusCode).toBe(403)
    expect(late.json().code).toBe('reauthentication_required')
    const anonymous = await server.app.inject({ method: 'GET', url: '/v1/mfa' })
    expect(anonymous.statusCode).toBe(401)
  })

  it('does not let one user remove another user’s factor', async () => {
    const ann = await bearer('ann@example.com')
    const begun = (await ann.call('POST', '/v1/mfa/totp', {})).json()
    await ann.call('POST', '/v1/mfa/totp/confirm', { code: totpCodeAt(begun.secret, server.clock.now()) })
    const bob = await bearer('bob@example.com')
    const attempt = await bob.call('DELETE', `/v1/mfa/${begun.id}`)
    expect(attempt.statusCode).toBe(404)
    expect((await ann.call('GET', '/v1/mfa')).json().factors).toHaveLength(1)
  })

  it('refuses a cross-site request made with the session cookie', async () => {
    const { cookieHeader } = await signUp(server.app, 'carl@example.com')
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/mfa/totp',
      headers: { cookie: cookieHeader as string, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      payload: {},
    })
    expect(response.statusCode).toBe(403)
    expect(response.json().code).toBe('csrf_rejected')
  })
})
