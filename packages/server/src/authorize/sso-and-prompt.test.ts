import { describe, expect, it } from 'vitest'
import {
  authorizeUrl,
  Browser,
  codeRequest,
  createClient,
  createUser,
  hiddenFields,
  location,
  pkce,
  REDIRECT,
  serve,
  signedInBrowser,
  signInThroughPage,
} from '../../test/oidc-fixture.js'
import { PASSWORD } from '../../test/test-server.js'

async function signedIn(onTestFinished: Parameters<typeof serve>[0], options: { firstParty?: boolean } = {}) {
  const server = await serve(onTestFinished)
  return { server, ...(await signedInBrowser(server, options)) }
}

describe('single sign-on and prompt', () => {
  it('reuses a live Tessera session: a second app gets a code without a sign-in page', async ({ onTestFinished }) => {
    const { server, browser } = await signedIn(onTestFinished)
    const second = await createClient(server, { name: 'Second app' })
    const response = await browser.get(authorizeUrl(codeRequest(second, pkce().challenge)))
    const back = location(response)
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
    expect(back.searchParams.get('code')).toBeTruthy()
  })

  it('answers prompt=none with a code when the session is live', async ({ onTestFinished }) => {
    const { client, browser } = await signedIn(onTestFinished)
    const back = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { prompt: 'none' }))))
    expect(back.searchParams.get('code')).toBeTruthy()
  })

  it('asks for a fresh sign-in with prompt=login, and then issues the code', async ({ onTestFinished }) => {
    const { client, browser } = await signedIn(onTestFinished)
    const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { prompt: 'login' }))))
    expect(next.pathname).toBe('/ui/sign-in')
    const back = location(await signInThroughPage(browser, next, 'ann@example.com'))
    expect(back.searchParams.get('code')).toBeTruthy()
  })

  it('asks for a fresh sign-in when the session is older than max_age', async ({ onTestFinished }) => {
    const { server, client, browser } = await signedIn(onTestFinished)
    server.clock.advance(120_000)
    let back = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { max_age: '300' }))))
    expect(back.searchParams.get('code')).toBeTruthy()
    const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { max_age: '60' }))))
    expect(next.pathname).toBe('/ui/sign-in')
    back = location(await signInThroughPage(browser, next, 'ann@example.com'))
    expect(back.searchParams.get('code')).toBeTruthy()
    const fresh = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { max_age: '60', prompt: 'none' }))))
    expect(fresh.searchParams.get('code')).toBeTruthy()
  })

  it('answers prompt=none with login_required when max_age is exceeded', async ({ onTestFinished }) => {
    const { server, client, browser } = await signedIn(onTestFinished)
    server.clock.advance(120_000)
    const back = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { max_age: '60', prompt: 'none' }))))
    expect(back.searchParams.get('error')).toBe('login_required')
  })

  it('steps a session weaker than acr_values up, and lets one that meets them through (OIDC Core §3.1.2.1)', async ({ onTestFinished }) => {
    const { client, browser } = await signedIn(onTestFinished)
    // A password session is sfa: enough for sfa, and for values Tessera does not define.
    for (const acr_values of ['urn:tessera:acr:sfa', 'urn:example:gold', 'urn:tessera:acr:mfa urn:tessera:acr:sfa']) {
      const back = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { acr_values }))))
      expect(back.searchParams.get('code'), acr_values).toBeTruthy()
    }
    for (const acr_values of ['urn:tessera:acr:mfa', 'urn:tessera:acr:phr']) {
      // Ann has no factor and signed in a moment ago: the step-up enrols one (authorize/step-up.test.ts).
      const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { acr_values }))))
      expect(next.pathname, acr_values).toBe('/ui/second-factor/enrol')
      const none = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { acr_values, prompt: 'none' }))))
      expect(none.searchParams.get('error'), acr_values).toBe('login_required')
    }
  })

  it('refuses an oversized acr_values with invalid_request', async ({ onTestFinished }) => {
    const { client, browser } = await signedIn(onTestFinished)
    const back = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { acr_values: 'x'.repeat(201) }))))
    expect(back.searchParams.get('error')).toBe('invalid_request')
  })

  it('asks a third-party app for consent once, remembers it, and asks again with prompt=consent', async ({ onTestFinished }) => {
    const { server, browser } = await signedIn(onTestFinished)
    const third = await createClient(server, { firstParty: false, name: 'Third' })
    const first = location(await browser.get(authorizeUrl(codeRequest(third, pkce().challenge, { prompt: 'none' }))))
    expect(first.searchParams.get('error')).toBe('consent_required')
    const consent = location(await browser.get(authorizeUrl(codeRequest(third, pkce().challenge))))
    expect(consent.pathname).toBe('/ui/consent')
    const page = await browser.get(consent.pathname + consent.search)
    location(await browser.post('/ui/consent', { ...hiddenFields(page.body), decision: 'allow' }))
    const again = location(await browser.get(authorizeUrl(codeRequest(third, pkce().challenge, { prompt: 'none' }))))
    expect(again.searchParams.get('code')).toBeTruthy()
    const forced = location(await browser.get(authorizeUrl(codeRequest(third, pkce().challenge, { prompt: 'consent' }))))
    expect(forced.pathname).toBe('/ui/consent')
    // A wider scope than was allowed needs consent again.
    const wider = location(await browser.get(authorizeUrl(codeRequest(third, pkce().challenge, { scope: 'openid profile' }))))
    expect(wider.pathname).toBe('/ui/consent')
  })

  it('sends access_denied back when the user denies consent', async ({ onTestFinished }) => {
    const { server, browser } = await signedIn(onTestFinished)
    const third = await createClient(server, { firstParty: false, name: 'Third' })
    const consent = location(await browser.get(authorizeUrl(codeRequest(third, pkce().challenge))))
    const page = await browser.get(consent.pathname + consent.search)
    const back = location(await browser.post('/ui/consent', { ...hiddenFields(page.body), decision: 'deny' }))
    expect(back.searchParams.get('error')).toBe('access_denied')
    expect(back.searchParams.get('state')).toBe('state-123')
    expect(back.searchParams.get('code')).toBeNull()
    // The pending request is over: posting it again finds nothing.
    expect((await browser.post('/ui/consent', { ...hiddenFields(page.body), decision: 'allow' })).statusCode).toBe(400)
  })
})

describe('the hosted forms', () => {
  async function atSignIn(onTestFinished: Parameters<typeof serve>[0]) {
    const server = await serve(onTestFinished)
    await createUser(server)
    const client = await createClient(server)
    const browser = new Browser(server.app)
    const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    const page = await browser.get(next.pathname + next.search)
    return { server, client, browser, next, fields: hiddenFields(page.body) }
  }

  it('shows the sign-in page again, with a message and no session, for a wrong password', async ({ onTestFinished }) => {
    const { browser, fields } = await atSignIn(onTestFinished)
    const response = await browser.post('/ui/sign-in', { ...fields, email: 'ann@example.com', password: 'wrong password here' })
    expect(response.statusCode).toBe(401)
    expect(response.body).toContain('The email address or password is wrong')
    expect(response.body).toContain('value="ann@example.com"')
    expect([...browser.cookies.keys()].some((name) => name.endsWith('tessera_session'))).toBe(false)
  })

  it('throttles repeated failures through the auth service', async ({ onTestFinished }) => {
    const { browser, fields } = await atSignIn(onTestFinished)
    let last = 0
    for (let attempt = 0; attempt < 12 && last !== 429; attempt++) {
      last = (await browser.post('/ui/sign-in', { ...fields, email: 'ann@example.com', password: 'wrong password here' })).statusCode
    }
    expect(last).toBe(429)
  })

  it('creates an account through the sign-up page and continues the flow', async ({ onTestFinished }) => {
    const { browser, next } = await atSignIn(onTestFinished)
    const page = await browser.get(`/ui/sign-up${next.search}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toMatch(/<label for="email">Email<\/label>/)
    expect(page.body).toMatch(/<button type="submit">Create account<\/button>/)
    const response = await browser.post('/ui/sign-up', { ...hiddenFields(page.body), email: 'bob@example.com', password: PASSWORD })
    const back = location(response)
    expect(back.searchParams.get('code')).toBeTruthy()
    const taken = await browser.post('/ui/sign-up', { ...hiddenFields(page.body), email: 'ann@example.com', password: PASSWORD })
    expect(taken.statusCode).toBe(400)
  })

  it('refuses a cross-site post, a wrong CSRF token and another browser', async ({ onTestFinished }) => {
    const { server, browser, fields } = await atSignIn(onTestFinished)
    const form = { ...fields, email: 'ann@example.com', password: PASSWORD }
    expect((await browser.post('/ui/sign-in', form, { origin: 'https://evil.example' })).statusCode).toBe(403)
    expect((await browser.post('/ui/sign-in', form, { 'sec-fetch-site': 'cross-site' })).statusCode).toBe(403)
    expect((await browser.post('/ui/sign-in', { ...form, csrf: 'x'.repeat(43) })).statusCode).toBe(403)
    expect((await browser.post('/ui/sign-in', { ...form, csrf: '' })).statusCode).toBe(403)
    const stranger = new Browser(server.app)
    expect((await stranger.post('/ui/sign-in', form)).statusCode).toBe(400)
    // None of them signed anyone in.
    expect([...browser.cookies.keys()].some((name) => name.endsWith('tessera_session'))).toBe(false)
    expect(location(await browser.post('/ui/sign-in', form)).searchParams.get('code')).toBeTruthy()
  })

  it('expires a pending request after 15 minutes', async ({ onTestFinished }) => {
    const { server, browser, fields } = await atSignIn(onTestFinished)
    server.clock.advance(15 * 60_000)
    const response = await browser.post('/ui/sign-in', { ...fields, email: 'ann@example.com', password: PASSWORD })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('expired')
  })
})
