import { createHash } from 'node:crypto'
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  authorizeUrl,
  Browser,
  codeRequest,
  createClient,
  createUser,
  hiddenFields,
  ISSUER,
  location,
  POST_LOGOUT,
  pkce,
  REDIRECT,
  redeem,
  serve,
  signInThroughPage,
  token,
} from '../../test/oidc-fixture.js'
import { DIALECTS } from '../../test/test-database.js'

function introspect(server: Awaited<ReturnType<typeof serve>>, client: { id: string; secret: string | null }, value: string) {
  return server.app.inject({
    method: 'POST',
    url: '/oauth/introspect',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
    payload: new URLSearchParams({ token: value }).toString(),
  })
}

for (const dialect of DIALECTS) {
  describe(`the browser flow on ${dialect}`, () => {
    it('signs a user in through the hosted pages, with consent, and gives the client verified tokens until logout', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const userId = await createUser(server)
      const client = await createClient(server, { firstParty: false, name: 'Third-party app' })
      const browser = new Browser(server.app)
      const { verifier, challenge } = pkce()

      // 1. authorize: no session yet, so the sign-in page, with the request kept server-side.
      let response = await browser.get(authorizeUrl(codeRequest(client, challenge)))
      const signIn = location(response)
      expect(signIn.pathname).toBe('/ui/sign-in')
      expect(signIn.searchParams.get('request')).toMatch(/^[A-Za-z0-9_-]{22}$/)

      // 2. sign in: a third-party client, so consent comes next.
      response = await signInThroughPage(browser, signIn, 'ann@example.com')
      const consent = location(response)
      expect(consent.pathname).toBe('/ui/consent')
      const consentPage = await browser.get(consent.pathname + consent.search)
      expect(consentPage.statusCode).toBe(200)
      expect(consentPage.body).toContain('Third-party app')
      expect(consentPage.body).toContain('See your email address')
      expect(consentPage.body).toMatch(/<button type="submit" name="decision" value="allow">Allow<\/button>/)
      expect(consentPage.body).toMatch(/>Deny<\/button>/)

      // 3. allow: back to the client with code, state and iss (RFC 9207).
      response = await browser.post('/ui/consent', { ...hiddenFields(consentPage.body), decision: 'allow' })
      const back = location(response)
      expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
      expect(back.searchParams.get('state')).toBe('state-123')
      expect(back.searchParams.get('iss')).toBe(ISSUER)
      const code = back.searchParams.get('code') as string

      // 4. the code for tokens.
      response = await redeem(server.app, client, code, verifier)
      expect(response.statusCode).toBe(200)
      expect(response.headers['cache-control']).toBe('no-store')
      const tokens = response.json() as { access_token: string; id_token: string; refresh_token: string; scope: string; token_type: string }
      expect(tokens.token_type).toBe('Bearer')
      expect(tokens.scope.split(' ').sort()).toEqual(['email', 'offline_access', 'openid'])

      // 5. the ID token verifies against the published JWKS, with every claim OIDC Core §2 asks for.
      const jwks = (await server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as JSONWebKeySet
      const { payload, protectedHeader } = await jwtVerify(tokens.id_token, createLocalJWKSet(jwks), {
        issuer: ISSUER,
        audience: client.id,
        currentDate: new Date(server.clock.now()),
      })
      expect(protectedHeader.alg).toBe('ES256')
      expect(payload.sub).toBe(userId)
      expect(payload.nonce).toBe('nonce-456')
      expect(payload.amr).toEqual(['pwd'])
      expect(payload.acr).toBe('urn:tessera:acr:sfa')
      expect(typeof payload.sid).toBe('string')
      expect(payload.auth_time).toBe(Math.floor(server.clock.now() / 1000))
      const digest = createHash('sha256').update(tokens.access_token).digest()
      expect(payload.at_hash).toBe(digest.subarray(0, 16).toString('base64url'))
      expect(payload.email).toBe('ann@example.com')

      // 6. userinfo with the access token.
      response = await server.app.inject({
        method: 'GET',
        url: '/oauth/userinfo',
        headers: { authorization: `Bearer ${tokens.access_token}` },
      })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toEqual({ sub: userId, email: 'ann@example.com', email_verified: false })

      // 7. refresh: a new pair, on the same session.
      response = await token(server.app, client, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token })
      expect(response.statusCode).toBe(200)
      const refreshed = response.json() as { access_token: string; refresh_token: string }
      expect((await introspect(server, client, refreshed.access_token)).json()).toMatchObject({ active: true, sid: payload.sid })

      // 8. RP-initiated logout with the ID token as hint: back to the client with its state.
      response = await browser.get(
        `/oauth/logout?${new URLSearchParams({ id_token_hint: tokens.id_token, post_logout_redirect_uri: POST_LOGOUT, state: 'bye' })}`,
      )
      const after = location(response)
      expect(after.href).toBe(`${POST_LOGOUT}?state=bye`)

      // Everything bound to the session is dead.
      for (const value of [tokens.access_token, refreshed.access_token, refreshed.refresh_token]) {
        expect((await introspect(server, client, value)).json()).toEqual({ active: false })
      }
      response = await token(server.app, client, { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token })
      expect(response.json()).toMatchObject({ error: 'invalid_grant' })
      response = await server.app.inject({
        method: 'GET',
        url: '/oauth/userinfo',
        headers: { authorization: `Bearer ${tokens.access_token}` },
      })
      expect(response.statusCode).toBe(401)
      // And the browser is signed out of Tessera: the next authorize asks to sign in again.
      response = await browser.get(authorizeUrl(codeRequest(client, challenge)))
      expect(location(response).pathname).toBe('/ui/sign-in')
    })
  })
}

describe('the browser flow on a development issuer', () => {
  it('works over plain http on 127.0.0.1, for a native app whose loopback port varies (RFC 8252 §7.3)', async ({ onTestFinished }) => {
    const issuer = 'http://127.0.0.1:4000'
    const server = await serve(onTestFinished, 'sqlite', { issuer })
    await createUser(server)
    const client = await createClient(server, { type: 'native', redirectUris: ['http://127.0.0.1/callback'], postLogoutRedirectUris: [] })
    const browser = new Browser(server.app)
    const { verifier, challenge } = pkce()
    const redirectUri = 'http://127.0.0.1:51234/callback'
    const next = location(await browser.get(authorizeUrl(codeRequest(client, challenge, { redirect_uri: redirectUri }))))
    expect(next.pathname).toBe('/ui/sign-in')
    // Plain-http localhost: no __Host- prefix, no Secure (sessions.md).
    expect([...browser.cookies.keys()]).toEqual(['tessera_authz'])
    const page = await browser.get(next.pathname + next.search)
    expect(page.headers['content-security-policy']).toContain("form-action 'self' http://127.0.0.1:*")
    const response = await browser.post(
      '/ui/sign-in',
      { ...hiddenFields(page.body), email: 'ann@example.com', password: 'correct horse battery staple' },
      { origin: issuer },
    )
    const back = new URL(response.headers.location as string)
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri)
    expect(back.searchParams.get('iss')).toBe(issuer)
    const code = back.searchParams.get('code') as string
    // The token request names the redirect URI exactly as the authorization request did.
    expect((await redeem(server.app, client, code, verifier, { redirect_uri: 'http://127.0.0.1/callback' })).statusCode).toBe(400)
    const tokens = await redeem(server.app, client, code, verifier, { redirect_uri: redirectUri })
    expect(tokens.statusCode).toBe(200)
    const discovery = (await server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json() as Record<
      string,
      string
    >
    expect(discovery.authorization_endpoint).toBe(`${issuer}/oauth/authorize`)
  })
})
