import { describe, expect, it } from 'vitest'
import { authorizeUrl, Browser, codeRequest, createClient, createUser, location, pkce, serve, token } from '../../test/oidc-fixture.js'

describe('odd input to the browser-flow endpoints', () => {
  it('never answers with a 500, and never redirects before the client and redirect URI are known', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const client = await createClient(server)
    const browser = new Browser(server.app)
    const challenge = pkce().challenge
    const long = 'x'.repeat(5000)
    const urls = [
      `/oauth/authorize?client_id[]=${client.id}`,
      `/oauth/authorize?client_id=${long}`,
      `${authorizeUrl(codeRequest(client, challenge))}&state=${long}`,
      `${authorizeUrl(codeRequest(client, challenge))}&resource=a&resource=b`,
      `${authorizeUrl(codeRequest(client, challenge))}&max_age=99999999999`,
      `${authorizeUrl(codeRequest(client, challenge))}&nonce=%00%ff`,
      '/oauth/authorize?%zz=1',
      '/ui/sign-in',
      '/ui/sign-in?request=../../etc',
      `/ui/consent?request=${'A'.repeat(22)}`,
      `/oauth/logout?id_token_hint=${long}`,
      '/oauth/logout?id_token_hint=a.b.c',
      '/oauth/logout?client_id=nope',
      `/oauth/logout?post_logout_redirect_uri=javascript:alert(1)&client_id=${client.id}`,
    ]
    for (const url of urls) {
      const response = await browser.get(url)
      expect(response.statusCode, url).toBeLessThan(500)
      if (response.statusCode === 303) expect(response.headers.location, url).toMatch(/^(https:\/\/app\.example\.test\/callback\?|\/ui\/)/)
    }
    // A too-long state cannot be returned, so the error goes back without it.
    const back = location(await browser.get(`${authorizeUrl(codeRequest(client, challenge))}&state=${long}`))
    expect(back.searchParams.get('error')).toBe('invalid_request')
  })

  it('refuses JSON bodies and odd forms on the hosted pages and the token endpoint without a 500', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const client = await createClient(server)
    for (const url of ['/ui/sign-in', '/ui/sign-up', '/ui/consent', '/oauth/logout', '/oauth/authorize', '/oauth/userinfo']) {
      const json = await server.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload: '{"email":"a"}',
      })
      // OAuth endpoints answer in RFC 6749 §5.2 form (invalid_request, 400); the others with a 415 problem.
      expect(json.statusCode, url).toBe(url === '/oauth/userinfo' ? 400 : 415)
      const form = await server.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://id.example.test' },
        payload: 'request=a&request=b&csrf[x]=1&email=%ff',
      })
      expect(form.statusCode, url).toBeLessThan(500)
    }
    for (const code of ['', 'A'.repeat(43), `${'A'.repeat(42)}=`, 'a'.repeat(5000)]) {
      const response = await token(server.app, client, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://app.example.test/callback',
        code_verifier: 'a'.repeat(43),
      })
      expect(response.statusCode, code.slice(0, 10)).toBe(400)
    }
  })
})

describe('the authorization endpoint under load from one address', () => {
  it('rate-limits each IP at ten times the credential limit, with 429 and Retry-After', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite', { rateLimit: { credentialRequestsPerIp: 2, window: 60 } })
    const client = await createClient(server)
    const browser = new Browser(server.app)
    const url = authorizeUrl(codeRequest(client, pkce().challenge))
    for (let request = 0; request < 20; request++) expect((await browser.get(url)).statusCode).toBe(303)
    const limited = await browser.get(url)
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['retry-after']).toBeDefined()
  })
})
