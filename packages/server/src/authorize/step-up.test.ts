import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  authorizeUrl,
  Browser,
  type Client,
  codeRequest,
  createClient,
  createUser,
  hiddenFields,
  location,
  obtainCode,
  pkce,
  REDIRECT,
  redeem,
  serve,
  signedInBrowser,
  token,
} from '../../test/oidc-fixture.js'
import { PASSWORD, signIn, type TestServer } from '../../test/test-server.js'
import { totpCodeAt } from '../mfa/totp.js'

// Issue 13 §6: a session that falls short of acr_values or max_age steps up in place.

const MFA = 'urn:tessera:acr:mfa'

function sessionCookie(browser: Browser): [string, string] {
  const found = [...browser.cookies].find(([name]) => name.endsWith('tessera_session'))
  if (!found) throw new Error('no session cookie')
  return found
}
const sessionIdOf = (browser: Browser) => sessionCookie(browser)[1].split('.')[0] as string

/** Ann signs in with her password alone in a browser (an sfa session); then adds an authenticator app over the JSON API. */
async function sfaSessionWithApp(server: TestServer) {
  const { client, browser } = await signedInBrowser(server)
  const { token } = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
  const headers = { authorization: `Bearer ${token}` }
  const { secret } = (await server.app.inject({ method: 'POST', url: '/v1/mfa/totp', headers, payload: {} })).json()
  const confirmed = await server.app.inject({
    method: 'POST',
    url: '/v1/mfa/totp/confirm',
    headers,
    payload: { code: totpCodeAt(secret, server.clock.now()) },
  })
  expect(confirmed.statusCode, confirmed.body).toBe(200)
  server.clock.advance(30_000)
  return { client, browser, secret: secret as string }
}

async function steppedUpEvents(server: TestServer) {
  const events = await server.tessera.stores.events.listAfter(0, 1000)
  return events.filter((event) => event.type === 'session.stepped_up')
}

async function codeFrom(server: TestServer, client: Client, back: URL, verifier: string) {
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
  const response = await redeem(server.app, client, back.searchParams.get('code') as string, verifier)
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as { id_token: string; access_token: string; refresh_token: string }
}

describe('step-up in place (issue 13 §6)', () => {
  it('asks an sfa session for the second factor only, and upgrades the same session (acr, amr, auth_time, audit)', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    const { client, browser, secret } = await sfaSessionWithApp(server)
    const sessionId = sessionIdOf(browser)
    const cookieBefore = sessionCookie(browser)[1]

    const { verifier, challenge } = pkce()
    const next = location(await browser.get(authorizeUrl(codeRequest(client, challenge, { acr_values: MFA }))))
    // Only what is missing: no password page.
    expect(next.pathname).toBe('/ui/second-factor')
    const page = await browser.get(next.pathname + next.search)
    expect(page.statusCode).toBe(200)
    const steppedAt = server.clock.now()
    const back = location(
      await browser.post('/ui/second-factor', { ...hiddenFields(page.body), factor: 'totp', code: totpCodeAt(secret, steppedAt) }),
    )
    const tokens = await codeFrom(server, client, back, verifier)

    const idToken = decodeJwt(tokens.id_token)
    expect(idToken).toMatchObject({ acr: MFA, amr: ['pwd', 'otp', 'mfa'], auth_time: Math.floor(steppedAt / 1000), sid: sessionId })
    expect(decodeJwt(tokens.access_token)).toMatchObject({ acr: MFA, sid: sessionId })
    // The same session: same id, same cookie (none was set), now recording the second factor.
    expect(sessionCookie(browser)[1]).toBe(cookieBefore)
    const stored = await server.tessera.stores.sessions.findById(sessionId)
    expect(stored).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], authTime: steppedAt, revokedAt: null })
    const events = await steppedUpEvents(server)
    expect(events).toHaveLength(1)
    expect(events[0]?.payload).toEqual({ sessionId, amr: ['pwd', 'otp', 'mfa'], previousAmr: ['pwd'] })

    // The session meets mfa now: prompt=none gets a code without a page.
    const again = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { acr_values: MFA, prompt: 'none' }))))
    expect(again.searchParams.get('code')).toBeTruthy()
  })

  it('re-authenticates a stale session with its own password, keeping the session, and ignores another address typed', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    await createUser(server, 'bob@example.com')
    const client = await createClient(server, { firstParty: true })
    const browser = new Browser(server.app)
    await obtainCode(server, browser, client, pkce().challenge)
    const sessionId = sessionIdOf(browser)
    server.clock.advance(10 * 60_000)

    const { verifier, challenge } = pkce()
    const next = location(await browser.get(authorizeUrl(codeRequest(client, challenge, { max_age: '60' }))))
    expect(next.pathname).toBe('/ui/sign-in')
    const page = await browser.get(next.pathname + next.search)
    expect(page.body).toContain('value="ann@example.com"')
    // Bob's address and password do not re-authenticate Ann's session: the password is checked against Ann's account.
    const wrong = await browser.post('/ui/sign-in', {
      ...hiddenFields(page.body),
      email: 'bob@example.com',
      password: 'bob has another one',
    })
    expect(wrong.statusCode).toBe(401)
    expect(await steppedUpEvents(server)).toHaveLength(0)

    const retry = await browser.get(next.pathname + next.search)
    const reauthAt = server.clock.now()
    const back = location(await browser.post('/ui/sign-in', { ...hiddenFields(retry.body), email: 'bob@example.com', password: PASSWORD }))
    const tokens = await codeFrom(server, client, back, verifier)
    expect(decodeJwt(tokens.id_token)).toMatchObject({
      sub: expect.any(String),
      auth_time: Math.floor(reauthAt / 1000),
      sid: sessionId,
      amr: ['pwd'],
    })
    expect(sessionIdOf(browser)).toBe(sessionId)
    expect((await server.tessera.stores.sessions.findById(sessionId))?.authTime).toBe(reauthAt)
  })

  it('enrols an authenticator app for a user without a factor, then upgrades the session', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const { client, browser } = await signedInBrowser(server)
    const sessionId = sessionIdOf(browser)

    const { verifier, challenge } = pkce()
    // The session signed in within five minutes: enrolment at once.
    const next = location(await browser.get(authorizeUrl(codeRequest(client, challenge, { acr_values: MFA }))))
    expect(next.pathname).toBe('/ui/second-factor/enrol')
    const page = await browser.get(next.pathname + next.search)
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.body)?.[1]?.replaceAll(' ', '')
    expect(secret).toBeTruthy()
    const codes = await browser.post('/ui/second-factor/enrol', {
      ...hiddenFields(page.body),
      code: totpCodeAt(secret as string, server.clock.now()),
    })
    expect(codes.statusCode).toBe(200)
    const back = location(await browser.post('/ui/recovery-codes', hiddenFields(codes.body)))
    const tokens = await codeFrom(server, client, back, verifier)
    expect(decodeJwt(tokens.id_token)).toMatchObject({ acr: MFA, amr: ['pwd', 'otp', 'mfa'], sid: sessionId })
  })

  it('asks an older session for its password before enrolling a factor', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const { client, browser } = await signedInBrowser(server)
    server.clock.advance(6 * 60_000)
    const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { acr_values: MFA }))))
    expect(next.pathname).toBe('/ui/sign-in')
    const page = await browser.get(next.pathname + next.search)
    const after = location(await browser.post('/ui/sign-in', { ...hiddenFields(page.body), email: 'ann@example.com', password: PASSWORD }))
    expect(after.pathname).toBe('/ui/second-factor/enrol')
  })

  it('answers unmet_authentication_requirements when the user has no factor and mfa.policy is off', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite', { mfa: { policy: 'off' } })
    const { client, browser } = await signedInBrowser(server)
    const back = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { acr_values: MFA }))))
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
    expect(back.searchParams.get('error')).toBe('unmet_authentication_requirements')
    expect(back.searchParams.get('state')).toBe('state-123')
  })

  it('refuses the step-up from another browser, for another session in the same browser, and a replayed answer', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    const { client, browser, secret } = await sfaSessionWithApp(server)
    const sessionId = sessionIdOf(browser)
    const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { acr_values: MFA }))))
    const page = await browser.get(next.pathname + next.search)
    const form = { ...hiddenFields(page.body), factor: 'totp', code: totpCodeAt(secret, server.clock.now()) }

    // Another browser (no binding cookie, its own session) cannot answer it.
    const stranger = new Browser(server.app)
    await createUser(server, 'bob@example.com')
    await obtainCode(server, stranger, client, pkce().challenge, { email: 'bob@example.com' })
    expect((await stranger.post('/ui/second-factor', form)).statusCode).toBe(400)

    // The same browser now holding another session (Bob's): refused, and neither session changes.
    const [name, annCookie] = sessionCookie(browser)
    browser.cookies.set(name, sessionCookie(stranger)[1])
    const swapped = await browser.post('/ui/second-factor', form)
    expect(swapped.statusCode).toBe(403)
    expect(swapped.body).toContain('another session or account')
    browser.cookies.set(name, annCookie)
    expect((await server.tessera.stores.sessions.findById(sessionId))?.amr).toEqual(['pwd'])
    expect(await steppedUpEvents(server)).toHaveLength(0)

    // Ann's own answer steps up; posting the same form again finds the flow over.
    expect(location(await browser.post('/ui/second-factor', form)).searchParams.get('code')).toBeTruthy()
    expect((await browser.post('/ui/second-factor', form)).statusCode).toBe(400)
    expect((await server.tessera.stores.sessions.findById(sessionId))?.amr).toEqual(['pwd', 'otp', 'mfa'])
    expect(await steppedUpEvents(server)).toHaveLength(1)
  })

  it('keeps a refresh token at the acr and auth_time of the authentication it came from', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const { client, browser, secret } = await sfaSessionWithApp(server)
    // A code issued before the step-up, redeemed for a refresh token.
    const first = pkce()
    const firstBack = location(await browser.get(authorizeUrl(codeRequest(client, first.challenge))))
    const before = await codeFrom(server, client, firstBack, first.verifier)
    const beforeClaims = decodeJwt(before.access_token)
    expect(beforeClaims.acr).toBe('urn:tessera:acr:sfa')

    server.clock.advance(60_000)
    const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { acr_values: MFA }))))
    const page = await browser.get(next.pathname + next.search)
    location(
      await browser.post('/ui/second-factor', { ...hiddenFields(page.body), factor: 'totp', code: totpCodeAt(secret, server.clock.now()) }),
    )

    const refreshed = await redeemRefresh(server, client, before.refresh_token)
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ acr: 'urn:tessera:acr:sfa', amr: ['pwd'], auth_time: beforeClaims.auth_time })
    expect(decodeJwt(refreshed.id_token)).toMatchObject({ acr: 'urn:tessera:acr:sfa', amr: ['pwd'], auth_time: beforeClaims.auth_time })
  })
})

async function redeemRefresh(server: TestServer, client: Client, refreshToken: string) {
  const response = await token(server.app, client, { grant_type: 'refresh_token', refresh_token: refreshToken })
  expect(response.statusCode, response.body).toBe(200)
  return response.json() as { access_token: string; id_token: string }
}
