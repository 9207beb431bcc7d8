import { describe, expect, it } from 'vitest'
import { Browser, hiddenFields, location, serve } from '../../test/oidc-fixture.js'
import { createSoftAuthenticator } from '../../test/soft-authenticator.js'
import { ORIGIN, signUp } from '../../test/test-server.js'

describe('passwordless sign-in with a passkey (docs/mfa.md "Passkeys")', () => {
  async function annWithPasskey(onTestFinished: Parameters<typeof serve>[0], config?: Parameters<typeof serve>[2]) {
    const server = await serve(onTestFinished, 'sqlite', config)
    const { token } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
    const headers = { authorization: `Bearer ${token}` }
    const { challengeId, options } = (await server.app.inject({ method: 'POST', url: '/v1/mfa/webauthn/options', headers })).json()
    const authenticator = createSoftAuthenticator()
    const response = authenticator.register(options, ORIGIN)
    const added = await server.app.inject({ method: 'POST', url: '/v1/mfa/webauthn', headers, payload: { challengeId, response } })
    expect(added.statusCode, added.body).toBe(201)
    return { server, authenticator }
  }

  it('signs in over the JSON API with the passkey alone (amr hwk and user); a spent challenge is refused', async ({ onTestFinished }) => {
    const { server, authenticator } = await annWithPasskey(onTestFinished)
    const begun = await server.app.inject({ method: 'POST', url: '/v1/sign-in/passkey/options', payload: {} })
    expect(begun.statusCode, begun.body).toBe(200)
    const { challengeId, options } = begun.json()
    expect(options.allowCredentials).toEqual([])
    expect(options.userVerification).toBe('required')
    const assertion = authenticator.authenticate(options, ORIGIN)
    const signedIn = await server.app.inject({
      method: 'POST',
      url: '/v1/sign-in/passkey',
      payload: { webauthnChallengeId: challengeId, assertion, transport: 'bearer' },
    })
    expect(signedIn.statusCode, signedIn.body).toBe(200)
    expect(signedIn.json().user.email).toBe('ann@example.com')
    expect(signedIn.json().session.amr).toEqual(['hwk', 'user'])
    // The challenge was spent.
    const replay = await server.app.inject({
      method: 'POST',
      url: '/v1/sign-in/passkey',
      payload: { webauthnChallengeId: challengeId, assertion },
    })
    expect(replay.statusCode).toBe(401)
    expect(replay.json().code).toBe('passkey_rejected')
  })

  it('refuses an assertion without user verification, or for another origin, and signs no one in', async ({ onTestFinished }) => {
    const { server, authenticator } = await annWithPasskey(onTestFinished)
    for (const tweak of [{ noUserVerification: true }, { rpId: 'evil.example' }]) {
      const { challengeId, options } = (await server.app.inject({ method: 'POST', url: '/v1/sign-in/passkey/options', payload: {} })).json()
      const refused = await server.app.inject({
        method: 'POST',
        url: '/v1/sign-in/passkey',
        payload: { webauthnChallengeId: challengeId, assertion: authenticator.authenticate(options, ORIGIN, tweak) },
      })
      expect(refused.statusCode).toBe(401)
      expect(refused.json().code).toBe('passkey_rejected')
      expect(refused.cookies).toEqual([])
    }
  })

  it('counts a failed assertion of a known passkey against its account: the throttle then refuses even a good one', async ({
    onTestFinished,
  }) => {
    const { server, authenticator } = await annWithPasskey(onTestFinished, { signIn: { freeFailures: 1, backoffBase: 60 } })
    const attempt = async (tweak?: { noUserVerification: true }) => {
      const { challengeId, options } = (await server.app.inject({ method: 'POST', url: '/v1/sign-in/passkey/options', payload: {} })).json()
      return server.app.inject({
        method: 'POST',
        url: '/v1/sign-in/passkey',
        payload: { webauthnChallengeId: challengeId, assertion: authenticator.authenticate(options, ORIGIN, tweak) },
      })
    }
    expect((await attempt({ noUserVerification: true })).json().code).toBe('passkey_rejected')
    const throttled = await attempt()
    expect(throttled.statusCode).toBe(429)
    expect(throttled.json().code).toBe('too_many_attempts')
    server.clock.advance(61_000)
    expect((await attempt()).statusCode).toBe(200)
  })

  it('signs in on the hosted page for an account page, which comes back to /ui/account/security', async ({ onTestFinished }) => {
    const { server, authenticator } = await annWithPasskey(onTestFinished)
    const browser = new Browser(server.app)
    const signInAt = location(await browser.get('/ui/account/security'))
    expect(signInAt.pathname).toBe('/ui/sign-in')
    const page = await browser.get(signInAt.pathname + signInAt.search)
    expect(page.body).toContain('autocomplete="username webauthn"')
    expect(page.body).toContain('<script src="/ui/assets/simplewebauthn-browser.js" defer></script>')
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/)
    const fields = hiddenFields(page.body)
    const options = await browser.post('/ui/passkey/options', { request: fields.request as string, csrf: fields.csrf as string })
    expect(options.statusCode, options.body).toBe(200)
    const { challengeId, options: requestOptions } = options.json()
    const assertion = authenticator.authenticate(requestOptions, ORIGIN)
    const back = location(
      await browser.post('/ui/sign-in/passkey', {
        request: fields.request as string,
        csrf: fields.csrf as string,
        webauthnChallengeId: challengeId,
        assertion: JSON.stringify(assertion),
      }),
    )
    expect(back.pathname).toBe('/ui/account/security')
    const security = await browser.get('/ui/account/security')
    expect(security.statusCode).toBe(200)
    expect(security.body).toContain('Signed in as <strong>ann@example.com</strong>')
    expect(security.body).toContain('data-passkey-register')
    const script = await server.app.inject({ method: 'GET', url: '/ui/assets/passkeys.js' })
    expect(script.statusCode).toBe(200)
    expect(script.headers['content-type']).toContain('text/javascript')
  })
})
