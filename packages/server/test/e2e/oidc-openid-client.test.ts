import { randomBytes } from 'node:crypto'
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'
import { describe, expect, it } from 'vitest'
import { useCleanup } from './cleanup.js'
import { FormUserAgent, heading, pageHtml, type Step } from './form-user-agent.js'
import { type Env, type RunningTessera, runCli, startTessera, stopTessera } from './tessera-process.js'

// Issue 4, end to end: openid-client v6, a certified OpenID relying-party library, runs the whole
// authorization code + PKCE flow against a real Tessera process (the built executable; `npm test`
// builds it first). The hosted pages are driven with fetch, as a browser would submit them.

const APP = 'https://app.example.test'
const REDIRECT_URI = `${APP}/callback`
const POST_LOGOUT_URI = `${APP}/signed-out`
const EMAIL = 'ann@example.com'
const PASSWORD = 'correct horse battery staple'

const cleanup = useCleanup()

/** A data dir and master key of this test's own, removed after it. */
function baseEnv(): Env {
  const dir = cleanup.tempDir('tessera-oidc-')
  return { TESSERA_DATA_DIR: dir, TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'), TESSERA_LOG_LEVEL: 'warn' }
}

/** Tessera on http://127.0.0.1:<port> (its issuer too), stopped after the test. */
async function start(env: Env): Promise<RunningTessera> {
  const tessera = await startTessera(env, { host: '127.0.0.1' })
  cleanup.push(() => stopTessera(tessera))
  return tessera
}

/** `tessera apps create` for an app of `type` (first-party unless told) that may use the browser flow and refresh. */
async function registerApp(env: Env, type: 'web' | 'spa', firstParty = true): Promise<{ clientId: string; clientSecret?: string }> {
  const created = await runCli(env, [
    'apps',
    'create',
    '--name',
    type === 'web' ? 'Web app' : 'Single-page app',
    '--type',
    type,
    '--grants',
    'authorization_code,refresh_token',
    '--redirect-uris',
    REDIRECT_URI,
    '--post-logout-redirect-uri',
    POST_LOGOUT_URI,
    ...(firstParty ? ['--first-party'] : []),
  ])
  return {
    clientId: String(created.clientId),
    ...(typeof created.clientSecret === 'string' ? { clientSecret: created.clientSecret } : {}),
  }
}

/**
 * OpenID Connect Discovery against the process. openid-client refuses plain-http issuers; the test's
 * issuer is a loopback address on this machine, so `allowInsecureRequests` is acceptable here (and
 * only here: production issuers are https, which Tessera enforces in production mode).
 */
function discover(tessera: RunningTessera, clientId: string, auth: client.ClientAuth, clientSecret?: string) {
  return client.discovery(new URL(tessera.base), clientId, clientSecret, auth, { execute: [client.allowInsecureRequests] })
}

interface Started {
  url: URL
  verifier: string
  state: string
  nonce: string
}

/** buildAuthorizationUrl with PKCE (S256), state and nonce. */
async function authorizationRequest(config: client.Configuration, scope = 'openid email profile offline_access'): Promise<Started> {
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  })
  return { url, verifier, state, nonce }
}

/** The browser's next stop must be the app's redirect URI; returns that URL. */
function backAtApp(step: Step, expected: string): URL {
  if (step.kind !== 'left') throw new Error(`expected a redirect to the app, got a ${step.status} page: ${heading(step)}`)
  expect(`${step.location.origin}${step.location.pathname}`).toBe(expected)
  return step.location
}

/** Whether `call` fails the way a dead token fails at userinfo (RFC 6750 §3.1: 401 invalid_token). */
async function expectInvalidToken(call: Promise<unknown>): Promise<void> {
  const error = await call.then(
    () => null,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(client.WWWAuthenticateChallengeError)
  const challenge = error as client.WWWAuthenticateChallengeError
  expect(challenge.status).toBe(401)
  expect(challenge.cause[0]?.parameters.error).toBe('invalid_token')
}

async function expectInvalidGrant(call: Promise<unknown>): Promise<void> {
  const error = await call.then(
    () => null,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(client.ResponseBodyError)
  expect((error as client.ResponseBodyError).error).toBe('invalid_grant')
}

describe('openid-client against a real Tessera process', () => {
  it('signs a new user up through a confidential web app, validates the ID token, reads userinfo, refreshes, and logs out everywhere', async () => {
    const env = baseEnv()
    const app = await registerApp(env, 'web')
    const tessera = await start(env)
    const config = await discover(tessera, app.clientId, client.ClientSecretBasic(app.clientSecret ?? ''))

    // Discovery is true for what the test uses.
    const metadata = config.serverMetadata()
    expect(metadata.issuer).toBe(tessera.base)
    expect(metadata.authorization_endpoint).toBe(`${tessera.base}/oauth/authorize`)
    expect(metadata.token_endpoint).toBe(`${tessera.base}/oauth/token`)
    expect(metadata.userinfo_endpoint).toBe(`${tessera.base}/oauth/userinfo`)
    expect(metadata.end_session_endpoint).toBe(`${tessera.base}/oauth/logout`)
    expect(metadata.code_challenge_methods_supported).toEqual(['S256'])
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true)

    // The browser: the hosted sign-in page, "Create an account", the sign-up form, back to the app.
    const request = await authorizationRequest(config)
    const browser = new FormUserAgent(tessera.base)
    const signIn = await browser.navigate(request.url)
    expect(heading(signIn)).toBe('Sign in')
    expect(pageHtml(signIn)).toContain('<label for="email">Email</label>')
    expect(pageHtml(signIn)).toContain('<label for="password">Password</label>')
    const signUp = await browser.clickLink(signIn, 'Create an account')
    const callback = backAtApp(await browser.submit(signUp, '/ui/sign-up', { email: EMAIL, password: PASSWORD }), REDIRECT_URI)
    // RFC 9207: the issuer comes back with the code.
    expect(callback.searchParams.get('iss')).toBe(tessera.base)

    // openid-client checks state and iss, redeems the code with the verifier, and validates the
    // ID token: signature (from the JWKS), iss, aud, exp, iat, nonce, at_hash.
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    })
    const claims = tokens.claims()
    if (!claims) throw new Error('no ID token')
    expect(claims).toMatchObject({ iss: tessera.base, aud: app.clientId, nonce: request.nonce })
    expect(claims.sub).toMatch(/\S/)
    expect(typeof claims.sid).toBe('string')
    expect(typeof claims.at_hash).toBe('string')
    expect(typeof claims.auth_time).toBe('number')
    expect(tokens.token_type.toLowerCase()).toBe('bearer')
    expect(tokens.refresh_token).toBeDefined()

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
    expect(userinfo).toMatchObject({ sub: claims.sub, email: EMAIL })

    // Refresh rotates the refresh token; the new access token works at userinfo.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '')
    expect(refreshed.access_token).not.toBe(tokens.access_token)
    expect(refreshed.refresh_token).toBeDefined()
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
    expect((await client.fetchUserInfo(config, refreshed.access_token, claims.sub)).email).toBe(EMAIL)

    // Single sign-on: a second authorization reuses the live Tessera session, no sign-in page.
    const again = await authorizationRequest(config, 'openid email')
    backAtApp(await browser.navigate(again.url), REDIRECT_URI)

    // RP-initiated logout: back to the registered post-logout URI with the state.
    const logoutUrl = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: POST_LOGOUT_URI,
      state: 'bye',
    })
    const loggedOut = backAtApp(await browser.navigate(logoutUrl), POST_LOGOUT_URI)
    expect(loggedOut.searchParams.get('state')).toBe('bye')

    // The session and every token bound to it are dead.
    await expectInvalidToken(client.fetchUserInfo(config, tokens.access_token, claims.sub))
    await expectInvalidToken(client.fetchUserInfo(config, refreshed.access_token, claims.sub))
    await expectInvalidGrant(client.refreshTokenGrant(config, refreshed.refresh_token ?? ''))
    const session = await fetch(`${tessera.base}/v1/session`, { headers: { cookie: browser.cookieHeader() } })
    expect(session.status).toBe(401)
    // And the next authorization asks for credentials again.
    expect(heading(await browser.navigate((await authorizationRequest(config)).url))).toBe('Sign in')
  })

  it('runs the flow for a public single-page app (token_endpoint_auth_method none, PKCE only)', async () => {
    const env = baseEnv()
    await runCli(env, ['users', 'create', '--email', EMAIL, '--password-stdin'], `${PASSWORD}\n`)
    const app = await registerApp(env, 'spa')
    expect(app.clientSecret).toBeUndefined()
    const tessera = await start(env)
    const config = await discover(tessera, app.clientId, client.None())
    expect(config.serverMetadata().token_endpoint_auth_methods_supported).toContain('none')

    const request = await authorizationRequest(config)
    const browser = new FormUserAgent(tessera.base)
    const signIn = await browser.navigate(request.url)
    const callback = backAtApp(await browser.submit(signIn, '/ui/sign-in', { email: EMAIL, password: PASSWORD }), REDIRECT_URI)
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    })
    const claims = tokens.claims()
    if (!claims) throw new Error('no ID token')
    expect(claims).toMatchObject({ iss: tessera.base, aud: app.clientId, nonce: request.nonce })
    expect((await client.fetchUserInfo(config, tokens.access_token, claims.sub)).email).toBe(EMAIL)
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '')
    expect((await client.fetchUserInfo(config, refreshed.access_token, claims.sub)).sub).toBe(claims.sub)

    const logoutUrl = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: POST_LOGOUT_URI })
    backAtApp(await browser.navigate(logoutUrl), POST_LOGOUT_URI)
    await expectInvalidToken(client.fetchUserInfo(config, refreshed.access_token, claims.sub))
    await expectInvalidGrant(client.refreshTokenGrant(config, refreshed.refresh_token ?? ''))
  })

  it('refuses a replayed code with invalid_grant and revokes the tokens issued from it', async () => {
    const env = baseEnv()
    const app = await registerApp(env, 'web')
    const tessera = await start(env)
    const config = await discover(tessera, app.clientId, client.ClientSecretPost(app.clientSecret ?? ''))
    const request = await authorizationRequest(config)
    const browser = new FormUserAgent(tessera.base)
    const signUp = await browser.clickLink(await browser.navigate(request.url), 'Create an account')
    const callback = backAtApp(await browser.submit(signUp, '/ui/sign-up', { email: EMAIL, password: PASSWORD }), REDIRECT_URI)
    const checks = { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }
    const tokens = await client.authorizationCodeGrant(config, callback, checks)
    const sub = tokens.claims()?.sub ?? ''
    expect((await client.fetchUserInfo(config, tokens.access_token, sub)).email).toBe(EMAIL)

    // RFC 6749 §4.1.2, RFC 9700 §4.2.4: the second redemption fails and revokes what the first issued.
    await expectInvalidGrant(client.authorizationCodeGrant(config, callback, checks))
    await expectInvalidToken(client.fetchUserInfo(config, tokens.access_token, sub))
    await expectInvalidGrant(client.refreshTokenGrant(config, tokens.refresh_token ?? ''))
  })

  it('runs the single-page-app sample of docs/connect-an-app.md (oauth4webapi, public client) as written', async () => {
    const env = baseEnv()
    await runCli(env, ['users', 'create', '--email', EMAIL, '--password-stdin'], `${PASSWORD}\n`)
    const app = await registerApp(env, 'spa')
    const tessera = await start(env)
    // The sample's calls, in order; only the loopback issuer needs allowInsecureRequests.
    const insecure = { [oauth.allowInsecureRequests]: true }
    const issuer = new URL(tessera.base)
    const spa = { client_id: app.clientId }
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure))

    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const nonce = oauth.generateRandomNonce()
    const url = new URL(as.authorization_endpoint ?? '')
    url.search = new URLSearchParams({
      client_id: spa.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid email',
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    }).toString()
    const browser = new FormUserAgent(tessera.base)
    const signIn = await browser.navigate(url)
    const callback = backAtApp(await browser.submit(signIn, '/ui/sign-in', { email: EMAIL, password: PASSWORD }), REDIRECT_URI)

    const params = oauth.validateAuthResponse(as, spa, callback, state)
    const response = await oauth.authorizationCodeGrantRequest(as, spa, oauth.None(), params, REDIRECT_URI, codeVerifier, insecure)
    const result = await oauth.processAuthorizationCodeResponse(as, spa, response, { expectedNonce: nonce, requireIdToken: true })
    const claims = oauth.getValidatedIdTokenClaims(result)
    expect(claims).toMatchObject({ iss: tessera.base, aud: app.clientId, nonce })
    // No offline_access asked, so no refresh token.
    expect(result.refresh_token).toBeUndefined()
    const userinfo = await oauth.userInfoRequest(as, spa, result.access_token, insecure)
    expect(await oauth.processUserInfoResponse(as, spa, claims?.sub ?? '', userinfo)).toMatchObject({ email: EMAIL })
  })

  it('asks the user to consent to a third-party app: Deny sends access_denied to the app, Allow is remembered', async () => {
    const env = baseEnv()
    const app = await registerApp(env, 'web', false)
    const tessera = await start(env)
    const config = await discover(tessera, app.clientId, client.ClientSecretBasic(app.clientSecret ?? ''))
    const browser = new FormUserAgent(tessera.base)

    const denied = await authorizationRequest(config)
    const signUp = await browser.clickLink(await browser.navigate(denied.url), 'Create an account')
    const consent = await browser.submit(signUp, '/ui/sign-up', { email: EMAIL, password: PASSWORD })
    expect(heading(consent)).toBe('Allow Web app?')
    const deniedCallback = backAtApp(await browser.submit(consent, '/ui/consent', {}, ['decision', 'deny']), REDIRECT_URI)
    // openid-client checks state and iss on the error response too, then reports the error.
    const error = await client
      .authorizationCodeGrant(config, deniedCallback, { pkceCodeVerifier: denied.verifier, expectedState: denied.state })
      .then(
        () => null,
        (reason: unknown) => reason,
      )
    expect(error).toBeInstanceOf(client.AuthorizationResponseError)
    expect((error as client.AuthorizationResponseError).error).toBe('access_denied')

    // Signed in already (single sign-on), so only the consent page; Allow issues the code.
    const allowed = await authorizationRequest(config)
    const asked = await browser.navigate(allowed.url)
    expect(heading(asked)).toBe('Allow Web app?')
    const callback = backAtApp(await browser.submit(asked, '/ui/consent', {}, ['decision', 'allow']), REDIRECT_URI)
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: allowed.verifier,
      expectedState: allowed.state,
      expectedNonce: allowed.nonce,
      idTokenExpected: true,
    })
    expect(tokens.claims()?.aud).toBe(app.clientId)

    // The answer is remembered for these scopes: no page the third time.
    backAtApp(await browser.navigate((await authorizationRequest(config)).url), REDIRECT_URI)
  })
})
