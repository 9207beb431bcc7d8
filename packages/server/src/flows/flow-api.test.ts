import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { createUser, serve } from '../../test/oidc-fixture.js'
import { createSoftAuthenticator } from '../../test/soft-authenticator.js'
import { ORIGIN, PASSWORD, signUp } from '../../test/test-server.js'

function post(app: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers })
}

async function started(app: FastifyInstance) {
  const response = await post(app, '/v1/flows', { type: 'login' })
  expect(response.statusCode).toBe(201)
  const body = response.json() as { flow: { id: string; next: string[] }; token: string }
  return { id: body.flow.id, token: body.token, flow: body.flow, headers: { 'tessera-flow-token': body.token } }
}

describe('the flow API for first-party JSON clients', () => {
  it('starts a login flow, shows its state to the holder of its token only, and signs in through its password step', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const { id, token, flow, headers } = await started(server.app)
    expect(flow.next).toEqual(['password', 'registration'])
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)

    expect((await server.app.inject({ method: 'GET', url: `/v1/flows/${id}`, headers })).json().flow.id).toBe(id)
    for (const other of [{}, { 'tessera-flow-token': 'A'.repeat(43) }]) {
      const refused = await server.app.inject({ method: 'GET', url: `/v1/flows/${id}`, headers: other })
      expect([refused.statusCode, refused.json().code]).toEqual([400, 'flow_expired'])
    }

    // A wrong password is refused and the flow stays as it was.
    const wrong = await post(
      server.app,
      `/v1/flows/${id}`,
      { step: 'password', email: 'ann@example.com', password: 'nope nope nope' },
      headers,
    )
    expect([wrong.statusCode, wrong.json().code]).toEqual([401, 'invalid_credentials'])
    expect((await server.app.inject({ method: 'GET', url: `/v1/flows/${id}`, headers })).json().flow.done).toEqual([])

    const done = await post(
      server.app,
      `/v1/flows/${id}`,
      { step: 'password', email: 'ann@example.com', password: PASSWORD, transport: 'bearer' },
      headers,
    )
    expect(done.statusCode).toBe(200)
    const body = done.json()
    expect(body.flow.next).toEqual([])
    expect(body.session.token).toMatch(/\./)
    const session = await server.app.inject({
      method: 'GET',
      url: '/v1/session',
      headers: { authorization: `Bearer ${body.session.token}` },
    })
    expect(session.statusCode).toBe(200)
    // The flow is over: it cannot be read or used again.
    expect((await server.app.inject({ method: 'GET', url: `/v1/flows/${id}`, headers })).statusCode).toBe(400)
    const again = await post(server.app, `/v1/flows/${id}`, { step: 'password', email: 'ann@example.com', password: PASSWORD }, headers)
    expect(again.json().code).toBe('flow_expired')
  })

  it('creates an account through the registration step, and refuses a cross-site submit', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const { id, headers } = await started(server.app)
    const body = { step: 'registration', email: 'bob@example.com', password: PASSWORD }
    const crossSite = await post(server.app, `/v1/flows/${id}`, body, { ...headers, origin: 'https://evil.example' })
    expect([crossSite.statusCode, crossSite.json().code]).toEqual([403, 'csrf_rejected'])
    const created = await post(server.app, `/v1/flows/${id}`, body, headers)
    expect(created.statusCode).toBe(200)
    expect(created.json().user.email).toBe('bob@example.com')
    expect(created.cookies.some((cookie) => cookie.name.endsWith('tessera_session'))).toBe(true)
  })

  it('expires a flow after 15 minutes', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const { id, headers } = await started(server.app)
    server.clock.advance(15 * 60_000)
    expect((await server.app.inject({ method: 'GET', url: `/v1/flows/${id}`, headers })).json().code).toBe('flow_expired')
  })
})

describe('the flow API passkey step (docs/mfa.md "Passkeys")', () => {
  it('gives options, then signs in with the passkey alone (amr hwk and user); a spent, foreign or unverified assertion signs no one in', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    const { token: bearer } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
    const auth = { authorization: `Bearer ${bearer}` }
    const created = (await server.app.inject({ method: 'POST', url: '/v1/mfa/webauthn/options', headers: auth })).json()
    const authenticator = createSoftAuthenticator()
    const response = authenticator.register(created.options, ORIGIN)
    const added = await server.app.inject({
      method: 'POST',
      url: '/v1/mfa/webauthn',
      headers: auth,
      payload: { challengeId: created.challengeId, response },
    })
    expect(added.statusCode, added.body).toBe(201)

    const { id, headers } = await started(server.app)
    // Without an assertion, the step answers the options for navigator.credentials.get() and the flow waits.
    const begun = await post(server.app, `/v1/flows/${id}`, { step: 'passkey' }, headers)
    expect(begun.statusCode, begun.body).toBe(200)
    const { challengeId, options } = begun.json().passkey
    expect(options.userVerification).toBe('required')
    expect(options.allowCredentials).toEqual([])
    expect(begun.json().flow.next).toEqual(['password', 'registration'])
    // Only the holder of the flow's token may ask.
    expect((await post(server.app, `/v1/flows/${id}`, { step: 'passkey' })).statusCode).toBe(400)

    // No user verification, or another RP id: refused, and the flow is still there.
    for (const tweak of [{ noUserVerification: true }, { rpId: 'evil.example' }]) {
      const fresh = (await post(server.app, `/v1/flows/${id}`, { step: 'passkey' }, headers)).json().passkey
      const refused = await post(
        server.app,
        `/v1/flows/${id}`,
        { step: 'passkey', webauthnChallengeId: fresh.challengeId, assertion: authenticator.authenticate(fresh.options, ORIGIN, tweak) },
        headers,
      )
      expect([refused.statusCode, refused.json().code]).toEqual([401, 'passkey_rejected'])
      expect(refused.cookies).toEqual([])
    }

    const assertion = authenticator.authenticate(options, ORIGIN)
    const signedIn = await post(
      server.app,
      `/v1/flows/${id}`,
      { step: 'passkey', webauthnChallengeId: challengeId, assertion, transport: 'bearer' },
      headers,
    )
    expect(signedIn.statusCode, signedIn.body).toBe(200)
    expect(signedIn.json().session.amr).toEqual(['hwk', 'user'])
    expect(signedIn.json().user.email).toBe('ann@example.com')
    expect(signedIn.json().flow.done.map((done: { step: string }) => done.step)).toEqual(['passkey'])
    // The flow is over, and its challenge spent: the same answer again signs no one in.
    const replay = await post(server.app, `/v1/flows/${id}`, { step: 'passkey', webauthnChallengeId: challengeId, assertion }, headers)
    expect(replay.statusCode).toBe(400)
  })
})
