import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import { addAuthenticatorApp } from '../../test/mfa-fixture.js'
import {
  authorizeUrl,
  Browser,
  codeRequest,
  createClient,
  createUser,
  hiddenFields,
  location,
  pkce,
  redeem,
  serve,
} from '../../test/oidc-fixture.js'
import { PASSWORD } from '../../test/test-server.js'
import { totpCodeAt } from '../mfa/totp.js'

describe('what tokens say after a hosted sign-in with a second factor (issue 13 part 6)', () => {
  it('gives an ID token with acr mfa, amr and a fresh auth_time, and the session then meets acr_values mfa', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const { secret } = await addAuthenticatorApp(server)
    server.clock.advance(30_000)

    const client = await createClient(server, { firstParty: true })
    const browser = new Browser(server.app)
    const { verifier, challenge } = pkce()
    const signInAt = location(await browser.get(authorizeUrl(codeRequest(client, challenge, { acr_values: 'urn:tessera:acr:mfa' }))))
    const signInPage = await browser.get(signInAt.pathname + signInAt.search)
    const afterPassword = location(
      await browser.post('/ui/sign-in', { ...hiddenFields(signInPage.body), email: 'ann@example.com', password: PASSWORD }),
    )
    expect(afterPassword.pathname).toBe('/ui/second-factor')
    const page = await browser.get(afterPassword.pathname + afterPassword.search)
    const signedInAt = server.clock.now()
    const back = location(
      await browser.post('/ui/second-factor', { ...hiddenFields(page.body), factor: 'totp', code: totpCodeAt(secret, signedInAt) }),
    )
    const code = back.searchParams.get('code') as string
    expect(code).toBeTruthy()

    const response = await redeem(server.app, client, code, verifier)
    expect(response.statusCode, response.body).toBe(200)
    const idToken = decodeJwt(response.json().id_token)
    expect(idToken).toMatchObject({ acr: 'urn:tessera:acr:mfa', amr: ['pwd', 'otp', 'mfa'], auth_time: Math.floor(signedInAt / 1000) })
    expect(decodeJwt(response.json().access_token)).toMatchObject({ acr: 'urn:tessera:acr:mfa', amr: ['pwd', 'otp', 'mfa'] })

    // The session reached mfa: a request for it, even with prompt=none, gets a code without a page.
    const again = location(
      await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { acr_values: 'urn:tessera:acr:mfa', prompt: 'none' }))),
    )
    expect(again.searchParams.get('code')).toBeTruthy()
    // It is not phishing-resistant: a request for phr steps up with a second factor again (a passkey would reach it).
    const stronger = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { acr_values: 'urn:tessera:acr:phr' }))))
    expect(stronger.pathname).toBe('/ui/second-factor')
  })
})
