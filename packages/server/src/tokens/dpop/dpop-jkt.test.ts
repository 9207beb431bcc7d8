import { decodeJwt } from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it, type TestContext } from 'vitest'
import {
  authorizeUrl,
  Browser,
  type Client,
  codeRequest,
  createClient,
  createUser,
  discover,
  location,
  REDIRECT,
  serve,
  signInThroughPage,
} from '../../../test/oidc-fixture.js'
import type { TestServer } from '../../../test/test-server.js'

/** A server, a signed-up user, a public (spa) client, and oauth4webapi pointed at the app in memory. */
async function setup(onTestFinished: TestContext['onTestFinished']) {
  const server = await serve(onTestFinished)
  server.clock.set(Date.now())
  await createUser(server)
  const spa = await createClient(server, { type: 'spa' })
  const { as, options } = await discover(server)
  const client: oauth.Client = { client_id: spa.id }
  return { server, spa, options, as, client }
}

/** The browser part of a code flow from an authorization URL; returns the callback URL. */
async function signInAt(server: TestServer, url: string): Promise<URL> {
  const browser = new Browser(server.app)
  return location(await signInThroughPage(browser, location(await browser.get(url)), 'ann@example.com'))
}

async function authorizeWith(server: TestServer, spa: Client, extra: Record<string, string>) {
  const verifier = oauth.generateRandomCodeVerifier()
  const challenge = await oauth.calculatePKCECodeChallenge(verifier)
  return { callback: await signInAt(server, authorizeUrl(codeRequest(spa, challenge, extra))), verifier }
}

/** Issue 16: `dpop_jkt` (RFC 9449 §10) binds the authorization code to the client's DPoP key. */
describe('DPoP-bound authorization codes (dpop_jkt)', () => {
  it('binds the code to the key named at /oauth/authorize: oauth4webapi redeems it with that key; no proof or another key is refused and spends nothing', async ({
    onTestFinished,
  }) => {
    const { server, spa, options, as, client } = await setup(onTestFinished)
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'))
    const jkt = await DPoP.calculateThumbprint()
    const { callback, verifier } = await authorizeWith(server, spa, { dpop_jkt: jkt })
    const params = oauth.validateAuthResponse(as, client, callback, 'state-123')
    const redeem = (extra: { DPoP?: oauth.DPoPHandle }) =>
      oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, verifier, { ...options, ...extra })

    const bare = await redeem({})
    expect(bare.status).toBe(400)
    expect(((await bare.json()) as { error: string }).error).toBe('invalid_dpop_proof')
    const thief = oauth.DPoP(client, await oauth.generateKeyPair('ES256'))
    const stolen = await redeem({ DPoP: thief })
    expect(stolen.status).toBe(400)
    expect(((await stolen.json()) as { error: string }).error).toBe('invalid_dpop_proof')

    const result = await oauth.processAuthorizationCodeResponse(as, client, await redeem({ DPoP }), { expectedNonce: 'nonce-456' })
    expect(result.token_type).toBe('dpop')
    expect(decodeJwt(result.access_token).cnf).toEqual({ jkt })
  })

  it('refuses a dpop_jkt that is not a thumbprint, back to the client with invalid_request', async ({ onTestFinished }) => {
    const { server, spa } = await setup(onTestFinished)
    const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier())
    const response = await new Browser(server.app).get(authorizeUrl(codeRequest(spa, challenge, { dpop_jkt: 'not-a-thumbprint' })))
    const redirect = location(response)
    expect(redirect.origin + redirect.pathname).toBe(REDIRECT)
    expect(redirect.searchParams.get('error')).toBe('invalid_request')
    expect(redirect.searchParams.get('code')).toBeNull()
  })

  it('binds the code to the key of a pushed request’s DPoP proof (RFC 9449 §10.1), and refuses a dpop_jkt that names another key', async ({
    onTestFinished,
  }) => {
    const { server, spa, options, as, client } = await setup(onTestFinished)
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'))
    const other = oauth.DPoP(client, await oauth.generateKeyPair('ES256'))
    const verifier = oauth.generateRandomCodeVerifier()
    const request = {
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'state-123',
      nonce: 'nonce-456',
    }
    const mismatched = await oauth.pushedAuthorizationRequest(
      as,
      client,
      oauth.None(),
      { ...request, dpop_jkt: await other.calculateThumbprint() },
      { ...options, DPoP },
    )
    expect(mismatched.status).toBe(400)
    expect(((await mismatched.json()) as { error: string }).error).toBe('invalid_request')

    const pushed = await oauth.processPushedAuthorizationResponse(
      as,
      client,
      await oauth.pushedAuthorizationRequest(as, client, oauth.None(), request, { ...options, DPoP }),
    )
    const url = new URL(as.authorization_endpoint as string)
    url.search = new URLSearchParams({ client_id: spa.id, request_uri: pushed.request_uri }).toString()
    const callback = await signInAt(server, url.pathname + url.search)
    const params = oauth.validateAuthResponse(as, client, callback, 'state-123')
    const redeem = (handle: oauth.DPoPHandle) =>
      oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, verifier, { ...options, DPoP: handle })
    const stolen = await redeem(other)
    expect(stolen.status).toBe(400)
    expect(((await stolen.json()) as { error: string }).error).toBe('invalid_dpop_proof')
    const result = await oauth.processAuthorizationCodeResponse(as, client, await redeem(DPoP), { expectedNonce: 'nonce-456' })
    expect(decodeJwt(result.access_token).cnf).toEqual({ jkt: await DPoP.calculateThumbprint() })
  })

  it('leaves a code without dpop_jkt unbound: a bearer redemption still works', async ({ onTestFinished }) => {
    const { server, spa, options, as, client } = await setup(onTestFinished)
    const { callback, verifier } = await authorizeWith(server, spa, {})
    const params = oauth.validateAuthResponse(as, client, callback, 'state-123')
    const result = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, REDIRECT, verifier, options),
      { expectedNonce: 'nonce-456' },
    )
    expect(result.token_type).toBe('bearer')
  })
})
