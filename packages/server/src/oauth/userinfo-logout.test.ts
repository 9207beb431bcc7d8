import { describe, expect, it } from 'vitest'
import {
  authorizeUrl,
  Browser,
  codeRequest,
  createApi,
  createClient,
  createUser,
  location,
  obtainCode,
  POST_LOGOUT,
  pkce,
  redeem,
  serve,
} from '../../test/oidc-fixture.js'
import { signIn } from '../../test/test-server.js'

async function tokensFor(onTestFinished: Parameters<typeof serve>[0], extra: Record<string, string> = {}) {
  const server = await serve(onTestFinished)
  const userId = await createUser(server)
  await createApi(server)
  const client = await createClient(server, { apis: ['https://api.example.test'], scopes: ['read'] })
  const browser = new Browser(server.app)
  const { verifier, challenge } = pkce()
  const code = await obtainCode(server, browser, client, challenge, { extra })
  const response = await redeem(server.app, client, code, verifier)
  expect(response.statusCode).toBe(200)
  return { server, client, browser, userId, tokens: response.json() as { access_token: string; id_token?: string; refresh_token?: string } }
}

function userinfo(server: Awaited<ReturnType<typeof serve>>, authorization?: string, method: 'GET' | 'POST' = 'GET') {
  return server.app.inject({ method, url: '/oauth/userinfo', headers: authorization !== undefined ? { authorization } : {} })
}

describe('userinfo', () => {
  it('returns the claims the scope allows, by GET and by POST', async ({ onTestFinished }) => {
    const { server, userId, tokens } = await tokensFor(onTestFinished, { scope: 'openid profile' })
    for (const method of ['GET', 'POST'] as const) {
      const response = await userinfo(server, `Bearer ${tokens.access_token}`, method)
      expect(response.statusCode).toBe(200)
      const body = response.json() as Record<string, unknown>
      expect(body.sub).toBe(userId)
      expect(typeof body.updated_at).toBe('number')
      expect(body).not.toHaveProperty('email')
    }
  })

  it('answers RFC 6750 errors with WWW-Authenticate', async ({ onTestFinished }) => {
    const { server, tokens } = await tokensFor(onTestFinished)
    let response = await userinfo(server)
    expect(response.statusCode).toBe(401)
    // RFC 6750 §3 and RFC 9449 §7.1: both schemes are offered, without an error code.
    expect(response.headers['www-authenticate']).toBe('Bearer realm="tessera", DPoP algs="ES256 ES384 EdDSA RS256 PS256"')
    response = await userinfo(server, 'Basic abc')
    expect(response.statusCode).toBe(400)
    expect(response.headers['www-authenticate']).toContain('error="invalid_request"')
    response = await userinfo(server, 'Bearer not.a.token')
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toContain('error="invalid_token"')
    expect(response.json()).toMatchObject({ error: 'invalid_token' })
    // An ID token is not an access token.
    response = await userinfo(server, `Bearer ${tokens.id_token}`)
    expect(response.statusCode).toBe(401)
    // Expired.
    server.clock.advance(3601_000)
    response = await userinfo(server, `Bearer ${tokens.access_token}`)
    expect(response.statusCode).toBe(401)
  })

  it('refuses a token without openid (insufficient_scope) and a token for an API', async ({ onTestFinished }) => {
    const noOpenid = await tokensFor(onTestFinished, { scope: 'email' })
    let response = await userinfo(noOpenid.server, `Bearer ${noOpenid.tokens.access_token}`)
    expect(response.statusCode).toBe(403)
    expect(response.headers['www-authenticate']).toContain('error="insufficient_scope"')
    const forApi = await tokensFor(onTestFinished, { scope: 'openid read', resource: 'https://api.example.test' })
    response = await userinfo(forApi.server, `Bearer ${forApi.tokens.access_token}`)
    expect(response.statusCode).toBe(401)
  })
})

describe('RP-initiated logout', () => {
  it('refuses a post_logout_redirect_uri that is not registered exactly, and signs no one out', async ({ onTestFinished }) => {
    const { server, client, browser, tokens } = await tokensFor(onTestFinished)
    for (const uri of [`${POST_LOGOUT}/`, `${POST_LOGOUT}?x=1`, 'https://evil.example/signed-out']) {
      const response = await browser.get(
        `/oauth/logout?${new URLSearchParams({ id_token_hint: tokens.id_token as string, post_logout_redirect_uri: uri })}`,
      )
      expect(response.statusCode).toBe(400)
      expect(response.headers.location).toBeUndefined()
    }
    // Without a hint or a client_id, no redirect URI can be trusted.
    const bare = await browser.get(`/oauth/logout?${new URLSearchParams({ post_logout_redirect_uri: POST_LOGOUT })}`)
    expect(bare.statusCode).toBe(400)
    expect((await userinfo(server, `Bearer ${tokens.access_token}`)).statusCode).toBe(200)
    void client
  })

  it('refuses a forged hint and a hint for another client_id', async ({ onTestFinished }) => {
    const { server, browser, tokens } = await tokensFor(onTestFinished)
    const [header, payload] = (tokens.id_token as string).split('.')
    const forged = `${header}.${payload}.${'A'.repeat(86)}`
    expect((await browser.get(`/oauth/logout?id_token_hint=${forged}`)).statusCode).toBe(400)
    const other = await createClient(server, { name: 'Other' })
    const mismatched = await browser.get(
      `/oauth/logout?${new URLSearchParams({ id_token_hint: tokens.id_token as string, client_id: other.id })}`,
    )
    expect(mismatched.statusCode).toBe(400)
    expect((await userinfo(server, `Bearer ${tokens.access_token}`)).statusCode).toBe(200)
  })

  it('accepts an expired ID token as a hint', async ({ onTestFinished }) => {
    const { server, browser, tokens } = await tokensFor(onTestFinished)
    server.clock.advance(10 * 60_000)
    const response = await browser.get(
      `/oauth/logout?${new URLSearchParams({ id_token_hint: tokens.id_token as string, post_logout_redirect_uri: POST_LOGOUT })}`,
    )
    expect(location(response).href).toBe(POST_LOGOUT)
  })

  it('asks for confirmation without a hint, and signs out only on a same-origin confirm', async ({ onTestFinished }) => {
    const { server, client, browser, tokens } = await tokensFor(onTestFinished)
    const query = new URLSearchParams({ client_id: client.id, post_logout_redirect_uri: POST_LOGOUT, state: 's1' })
    const page = await browser.get(`/oauth/logout?${query}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Sign out of Tessera?')
    expect(page.headers['content-security-policy']).toContain("form-action 'self' https://app.example.test")
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] as string
    // A cross-site post of the same form, and a post without the token, change nothing.
    const form = { client_id: client.id, post_logout_redirect_uri: POST_LOGOUT, state: 's1' }
    expect((await browser.post('/oauth/logout', { ...form, csrf }, { origin: 'https://evil.example' })).statusCode).toBe(200)
    expect((await browser.post('/oauth/logout', form)).statusCode).toBe(200)
    expect((await userinfo(server, `Bearer ${tokens.access_token}`)).statusCode).toBe(200)

    const done = await browser.post('/oauth/logout', { ...form, csrf })
    expect(location(done).href).toBe(`${POST_LOGOUT}?state=s1`)
    expect((await userinfo(server, `Bearer ${tokens.access_token}`)).statusCode).toBe(401)
    const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    expect(next.pathname).toBe('/ui/sign-in')
  })

  it('shows the signed-out page when there is nowhere to go back to', async ({ onTestFinished }) => {
    const { browser, tokens } = await tokensFor(onTestFinished)
    const response = await browser.get(`/oauth/logout?id_token_hint=${tokens.id_token}`)
    expect(response.statusCode).toBe(200)
    expect(response.body).toContain('<h1>You are signed out</h1>')
  })

  it('revokes the session a hint names even when the browser holds another', async ({ onTestFinished }) => {
    const { server, tokens } = await tokensFor(onTestFinished)
    const elsewhere = await signIn(server.app, 'ann@example.com')
    const response = await server.app.inject({
      method: 'GET',
      url: `/oauth/logout?id_token_hint=${tokens.id_token}`,
      headers: { cookie: elsewhere.cookieHeader as string },
    })
    expect(response.statusCode).toBe(200)
    expect((await userinfo(server, `Bearer ${tokens.access_token}`)).statusCode).toBe(401)
  })
})
