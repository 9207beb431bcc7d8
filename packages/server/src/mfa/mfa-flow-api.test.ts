import { describe, expect, it } from 'vitest'
import { addAuthenticatorApp } from '../../test/mfa-fixture.js'
import { serve } from '../../test/oidc-fixture.js'
import { PASSWORD, signUp } from '../../test/test-server.js'
import { totpCodeAt } from './totp.js'

describe('the flow API with a second factor (POST /v1/flows/{id} step second_factor)', () => {
  it('waits for the second factor after the password, refuses a wrong code, and signs in with the right one', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    const { app, clock } = server
    await signUp(app, 'ann@example.com')
    const { secret } = await addAuthenticatorApp(server)
    clock.advance(30_000)

    const { flow, token: flowToken } = (await app.inject({ method: 'POST', url: '/v1/flows', payload: { type: 'login' } })).json()
    const headers = { 'tessera-flow-token': flowToken }
    const url = `/v1/flows/${flow.id}`
    const password = await app.inject({
      method: 'POST',
      url,
      headers,
      payload: { step: 'password', email: 'ann@example.com', password: PASSWORD },
    })
    expect(password.statusCode, password.body).toBe(200)
    expect(password.json()).toEqual({ flow: expect.objectContaining({ next: ['second_factor'] }) })

    const wrong = await app.inject({ method: 'POST', url, headers, payload: { step: 'second_factor', factor: 'totp', code: '000000' } })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json().code).toBe('invalid_mfa_code')
    expect((await app.inject({ method: 'GET', url, headers })).json().flow.next).toEqual(['second_factor'])

    const done = await app.inject({
      method: 'POST',
      url,
      headers,
      payload: { step: 'second_factor', factor: 'totp', code: totpCodeAt(secret, clock.now()), transport: 'bearer' },
    })
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json()).toMatchObject({ flow: { next: [] }, session: { amr: ['pwd', 'otp', 'mfa'], token: expect.any(String) } })
    // The flow is finished: it is gone.
    expect((await app.inject({ method: 'GET', url, headers })).json().code).toBe('flow_expired')
  })
})
