import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { injectFetch } from '../../test/inject-fetch.js'
import { Browser, createClient, createUser, hiddenFields, ISSUER, location, POST_LOGOUT, REDIRECT, serve } from '../../test/oidc-fixture.js'

describe('a third-party OIDC client (oauth4webapi) against the browser flow', () => {
  it('discovers, authorizes with PKCE, validates the response and the ID token, calls userinfo and refreshes', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    // The library checks iat and exp against the real clock.
    server.clock.set(Date.now())
    const userId = await createUser(server)
    const registered = await createClient(server, { firstParty: true })
    const options = { [oauth.customFetch]: injectFetch(server.app) }
    const issuer = new URL(ISSUER)
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oidc' }))
    const client: oauth.Client = { client_id: registered.id }
    const auth = oauth.ClientSecretBasic(registered.secret as string)

    const verifier = oauth.generateRandomCodeVerifier()
    const nonce = oauth.generateRandomNonce()
    const state = oauth.generateRandomState()
    const url = new URL(as.authorization_endpoint as string)
    url.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: REDIRECT,
      response_type: 'code',
      scope: 'openid email offline_access',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    }).toString()

    const browser = new Browser(server.app)
    const signIn = location(await browser.get(url.pathname + url.search))
    const page = await browser.get(signIn.pathname + signIn.search)
    const callback = location(
      await browser.post('/ui/sign-in', { ...hiddenFields(page.body), email: 'ann@example.com', password: 'correct horse battery staple' }),
    )

    // RFC 9207: the library requires iss, because discovery says it is sent.
    const params = oauth.validateAuthResponse(as, client, callback, state)
    const response = await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, options)
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true })
    const claims = oauth.getValidatedIdTokenClaims(result)
    expect(claims?.sub).toBe(userId)
    expect(claims?.aud).toBe(registered.id)
    expect(claims?.email).toBe('ann@example.com')

    const info = await oauth.processUserInfoResponse(
      as,
      client,
      userId,
      await oauth.userInfoRequest(as, client, result.access_token, options),
    )
    expect(info).toMatchObject({ sub: userId, email: 'ann@example.com' })

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, result.refresh_token as string, options),
    )
    expect(refreshed.refresh_token).not.toBe(result.refresh_token)

    expect(as.end_session_endpoint).toBe(`${ISSUER}/oauth/logout`)
    const logout = new URL(as.end_session_endpoint as string)
    logout.search = new URLSearchParams({
      id_token_hint: result.id_token as string,
      post_logout_redirect_uri: POST_LOGOUT,
      state: 'x',
    }).toString()
    expect(location(await browser.get(logout.pathname + logout.search)).href).toBe(`${POST_LOGOUT}?state=x`)
    await expect(oauth.userInfoRequest(as, client, result.access_token, options).then((r) => r.status)).resolves.toBe(401)
  })
})
