import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { addAuthenticatorApp } from '../../test/mfa-fixture.js'
import { createSoftAuthenticator } from '../../test/soft-authenticator.js'
import { createTestServer, ORIGIN, PASSWORD, signIn, signUp, type TestServer } from '../../test/test-server.js'
import { totpCodeAt } from './totp.js'

const EMAIL = 'ann@example.com'

/** Signs Ann up and gives her an authenticator app; returns its secret and her recovery codes. */
async function withAuthenticatorApp(server: TestServer) {
  await signUp(server.app, EMAIL)
  return addAuthenticatorApp(server, EMAIL)
}

function passwordStep(app: FastifyInstance, password = PASSWORD) {
  return app.inject({ method: 'POST', url: '/v1/sign-in', payload: { email: EMAIL, password, transport: 'bearer' } })
}

function secondStep(app: FastifyInstance, payload: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/v1/sign-in/mfa', payload: { transport: 'bearer', ...payload } })
}

describe('sign-in with a second factor over the JSON API (issue 13 §5)', () => {
  let server: TestServer
  beforeEach(async () => {
    server = await createTestServer()
  })
  afterEach(async () => {
    await server.close()
  })

  it('issues no session for the password alone, then signs in with the authenticator app’s code', async () => {
    const { secret } = await withAuthenticatorApp(server)
    server.clock.advance(30_000) // the enrolment spent this step's code
    const first = await passwordStep(server.app)
    expect(first.statusCode).toBe(200)
    const body = first.json()
    expect(body).toEqual({ mfaRequired: true, challenge: expect.any(String), factors: ['totp', 'recovery_code'] })
    expect(first.headers['set-cookie']).toBeUndefined()
    const done = await secondStep(server.app, { challenge: body.challenge, factor: 'totp', code: totpCodeAt(secret, server.clock.now()) })
    expect(done.statusCode).toBe(200)
    const { session } = done.json()
    expect(session.token).toEqual(expect.any(String))
    const me = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${session.token}` } })
    expect(me.json().session.amr).toEqual(['pwd', 'otp', 'mfa'])
  })

  it('makes a challenge single use', async () => {
    const { secret } = await withAuthenticatorApp(server)
    server.clock.advance(30_000)
    const { challenge } = (await passwordStep(server.app)).json()
    expect((await secondStep(server.app, { challenge, factor: 'totp', code: totpCodeAt(secret, server.clock.now()) })).statusCode).toBe(200)
    server.clock.advance(30_000)
    const again = await secondStep(server.app, { challenge, factor: 'totp', code: totpCodeAt(secret, server.clock.now()) })
    expect(again.statusCode).toBe(400)
    expect(again.json().code).toBe('flow_expired')
  })

  it('refuses a wrong or replayed code with invalid_mfa_code, keeps the challenge, and throttles the account', async () => {
    const { secret } = await withAuthenticatorApp(server)
    const { challenge } = (await passwordStep(server.app)).json()
    // The code enrolment used, within the same step: a replay.
    const replay = await secondStep(server.app, { challenge, factor: 'totp', code: totpCodeAt(secret, server.clock.now()) })
    expect(replay.statusCode).toBe(401)
    expect(replay.json().code).toBe('invalid_mfa_code')
    const codes: number[] = []
    for (let i = 0; i < 12; i++) codes.push((await secondStep(server.app, { challenge, factor: 'totp', code: '000000' })).statusCode)
    expect(codes).toContain(429) // past the free failures (10 by default), the account's throttle holds
    // The throttle covers the password too: it is one account.
    expect((await passwordStep(server.app)).statusCode).toBe(429)
  })

  it('lets the second factor come only within five minutes of the password', async () => {
    const { secret } = await withAuthenticatorApp(server)
    const { challenge } = (await passwordStep(server.app)).json()
    server.clock.advance(5 * 60_000 + 1)
    const late = await secondStep(server.app, { challenge, factor: 'totp', code: totpCodeAt(secret, server.clock.now()) })
    expect(late.statusCode).toBe(400)
    expect(late.json().code).toBe('flow_expired')
  })

  it('accepts a recovery code once', async () => {
    const { recoveryCodes } = await withAuthenticatorApp(server)
    const code = recoveryCodes[0] as string
    const first = (await passwordStep(server.app)).json()
    expect((await secondStep(server.app, { challenge: first.challenge, factor: 'recovery_code', code })).statusCode).toBe(200)
    const second = (await passwordStep(server.app)).json()
    expect((await secondStep(server.app, { challenge: second.challenge, factor: 'recovery_code', code })).statusCode).toBe(401)
  })

  it('refuses a forged or tampered challenge', async () => {
    await withAuthenticatorApp(server)
    const { challenge } = (await passwordStep(server.app)).json()
    const [id] = (challenge as string).split('.')
    for (const forged of [`${id}.${'A'.repeat(43)}`, 'nonsense', `${'B'.repeat(22)}.${'A'.repeat(43)}`]) {
      const response = await secondStep(server.app, { challenge: forged, factor: 'totp', code: '123456' })
      expect(response.statusCode).toBe(400)
      expect(response.json().code).toBe('flow_expired')
    }
  })

  it('takes a passkey as the second factor', async () => {
    await signUp(server.app, EMAIL)
    const { token } = await signIn(server.app, EMAIL, undefined, { transport: 'bearer' })
    const headers = { authorization: `Bearer ${token}` }
    const authenticator = createSoftAuthenticator()
    const creation = (await server.app.inject({ method: 'POST', url: '/v1/mfa/webauthn/options', headers })).json()
    const registered = await server.app.inject({
      method: 'POST',
      url: '/v1/mfa/webauthn',
      headers,
      payload: { challengeId: creation.challengeId, response: authenticator.register(creation.options, ORIGIN) },
    })
    expect(registered.statusCode).toBe(201)
    const pending = (await passwordStep(server.app)).json()
    expect(pending.factors).toEqual(['webauthn', 'recovery_code'])
    const options = await server.app.inject({
      method: 'POST',
      url: '/v1/sign-in/mfa/webauthn-options',
      payload: { challenge: pending.challenge },
    })
    const { challengeId, options: request } = options.json()
    expect(request.allowCredentials.map((credential: { id: string }) => credential.id)).toEqual([authenticator.credentialId])
    const done = await secondStep(server.app, {
      challenge: pending.challenge,
      factor: 'webauthn',
      webauthnChallengeId: challengeId,
      assertion: authenticator.authenticate(request, ORIGIN),
    })
    expect(done.statusCode).toBe(200)
    const me = await server.app.inject({
      method: 'GET',
      url: '/v1/session',
      headers: { authorization: `Bearer ${done.json().session.token}` },
    })
    expect(me.json().session.amr).toEqual(['pwd', 'hwk', 'user', 'mfa'])
  })

  it('leaves users without a second factor signing in in one step, as before', async () => {
    await signUp(server.app, EMAIL)
    const response = await passwordStep(server.app)
    expect(response.statusCode).toBe(200)
    expect(response.json().session.token).toEqual(expect.any(String))
  })
})
