import { describe, expect, it } from 'vitest'
import { authorizeUrl, Browser, codeRequest, createClient, createUser, location, pkce, serve } from '../../test/oidc-fixture.js'

/** Every page must pass these: strict CSP, framing refused, no inline script or style, one stylesheet. */
function expectHardened(response: { headers: Record<string, unknown>; body: string }) {
  const csp = response.headers['content-security-policy'] as string
  expect(csp).toContain("default-src 'none'")
  expect(csp).toContain("style-src 'self'")
  expect(csp).toContain("frame-ancestors 'none'")
  expect(csp).toContain("base-uri 'none'")
  expect(csp).not.toContain('unsafe-inline')
  expect(response.headers['x-frame-options']).toBe('DENY')
  expect(response.headers['referrer-policy']).toBe('no-referrer')
  expect(response.headers['cache-control']).toBe('no-store')
  // Scripts only from our own origin's assets, never inline (passkeys: docs/mfa.md).
  const scripts = response.body.match(/<script[^>]*>[^<]*<\/script>/gi) ?? []
  expect(response.body.match(/<script/gi) ?? []).toHaveLength(scripts.length)
  for (const script of scripts) expect(script).toMatch(/^<script src="\/ui\/assets\/[a-z-]+\.js" defer><\/script>$/)
  if (scripts.length > 0) expect(csp).toContain("script-src 'self'")
  else expect(csp).not.toContain('script-src')
  expect(response.body).not.toMatch(/<style/i)
  expect(response.body).not.toMatch(/\sstyle=/i)
  expect(response.body).not.toMatch(/\son[a-z]+=/i)
  expect(response.body.match(/<link rel="stylesheet"/g)).toHaveLength(1)
  expect(response.body).toContain('href="/ui/assets/tessera.css"')
  expect(response.body).toContain('name="viewport"')
}

describe('hosted pages', () => {
  it('are hardened and accessible: sign-in, sign-up, consent, error, signed-out', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const client = await createClient(server, { firstParty: false })
    const browser = new Browser(server.app)
    const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))

    const signIn = await browser.get(next.pathname + next.search)
    expectHardened(signIn)
    expect(signIn.headers['content-security-policy']).toContain("form-action 'self' https://app.example.test")
    expect(signIn.body).toMatch(/<label for="email">Email<\/label>\s*<input id="email" name="email"/)
    expect(signIn.body).toMatch(/<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"/)
    expect(signIn.body).toContain('<button type="submit">Sign in</button>')
    expect(signIn.body).toMatch(/<a href="\/ui\/sign-up\?request=[^"]+">Create an account<\/a>/)

    const signUp = await browser.get(`/ui/sign-up${next.search}`)
    expectHardened(signUp)

    const { hiddenFields } = await import('../../test/oidc-fixture.js')
    const consentAt = location(
      await browser.post('/ui/sign-in', {
        ...hiddenFields(signIn.body),
        email: 'ann@example.com',
        password: 'correct horse battery staple',
      }),
    )
    const consent = await browser.get(consentAt.pathname + consentAt.search)
    expectHardened(consent)

    const error = await browser.get('/oauth/authorize?client_id=nope')
    expect(error.statusCode).toBe(400)
    expectHardened(error)

    const expired = await browser.get('/ui/sign-in?request=AAAAAAAAAAAAAAAAAAAAAA')
    expect(expired.statusCode).toBe(400)
    expectHardened(expired)

    const signedOut = await browser.get('/ui/signed-out')
    expectHardened(signedOut)
    expect(signedOut.body).toContain('<h1>You are signed out</h1>')
  })

  it('escapes what it shows: an application name cannot inject markup', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const client = await createClient(server, { name: '<script>alert(1)</script>' })
    const browser = new Browser(server.app)
    const next = location(
      await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { login_hint: '"><img src=x onerror=alert(1)>' }))),
    )
    const page = await browser.get(next.pathname + next.search)
    expectHardened(page)
    expect(page.body).toContain('&#60;script&#62;alert(1)&#60;/script&#62;')
  })

  it('serves the stylesheet', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const response = await server.app.inject({ method: 'GET', url: '/ui/assets/tessera.css' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/css/)
    expect(response.body).toContain('@media')
  })

  it('serves a favicon where pages link it and where browsers look for one, so no page load logs a 404 (issue 16)', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    const page = await server.app.inject({ method: 'GET', url: '/ui/signed-out' })
    expect(page.body).toContain('<link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml">')
    for (const url of ['/ui/assets/favicon.svg', '/favicon.ico']) {
      const response = await server.app.inject({ method: 'GET', url })
      expect(response.statusCode, url).toBe(200)
      expect(response.headers['content-type']).toMatch(/^image\/svg\+xml/)
      expect(response.body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    }
  })
})
