import { describe, expect, it } from 'vitest'
import { authorize, deviceClient, poll, signedInOnDevicePage } from '../../test/device-fixture.js'
import { linkIn, mailServer, recipient, tokenIn } from '../../test/mail-fixture.js'
import { API, createApi, createClient, exchange, grantEverything, refresh } from '../../test/oauth-fixture.js'
import {
  authorizeUrl,
  Browser,
  codeRequest,
  hiddenFields,
  location,
  createClient as oidcClient,
  pkce,
  REDIRECT,
  redeem,
} from '../../test/oidc-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { ORIGIN, PASSWORD, signIn } from '../../test/test-server.js'

const REQUIRE = { signUp: { requireVerifiedEmail: true } }
const CLI = { kind: 'cli' } as const
const json = (url: string, body: object) => ({
  method: 'POST' as const,
  url,
  headers: { 'content-type': 'application/json' },
  payload: body,
})

for (const dialect of DIALECTS) {
  describe(`signUp.requireVerifiedEmail on ${dialect}`, () => {
    it('answers a sign-up with a taken address exactly as a new one, and tells the owner instead (issue 12 part 5)', async () => {
      const { server, deliver } = await mailServer(dialect, { config: REQUIRE })
      const fresh = await server.app.inject(json('/v1/sign-up', { email: 'ann@example.com', password: PASSWORD }))
      expect(fresh.statusCode).toBe(202)
      expect(fresh.headers['set-cookie']).toBeUndefined()
      const [verify] = await deliver()
      expect(recipient(verify)).toBe('ann@example.com')
      expect(linkIn(verify)).toContain('/ui/verify-email?token=')

      const taken = await server.app.inject(
        json('/v1/sign-up', { email: 'Ann@Example.com', password: 'another long passphrase', transport: 'bearer' }),
      )
      expect(taken.statusCode).toBe(fresh.statusCode)
      expect(taken.body).toBe(fresh.body)
      expect(taken.headers['set-cookie']).toBeUndefined()
      const notices = await deliver()
      expect(notices).toHaveLength(1)
      expect(recipient(notices[0])).toBe('ann@example.com')
      expect(notices[0]?.subject).toMatch(/tried to sign up/)
      expect(notices[0]?.text).not.toMatch(/token=/)

      // The account is untouched: the second password is not its password.
      expect((await signIn(server.app, 'ann@example.com', 'another long passphrase')).response.statusCode).toBe(401)
      const { users } = await server.tessera.services.users.list({ limit: 10 })
      expect(users).toHaveLength(1)
    })

    it('refuses sign-in until the address is verified; a resend by address answers the same for anyone', async () => {
      const { server, deliver } = await mailServer(dialect, { config: REQUIRE })
      await server.app.inject(json('/v1/sign-up', { email: 'ann@example.com', password: PASSWORD }))
      await deliver()

      const refused = await signIn(server.app, 'ann@example.com')
      expect(refused.response.statusCode).toBe(403)
      expect(refused.response.json().code).toBe('email_not_verified')
      // A wrong password still says only that: the refusal comes after the password.
      const wrong = await signIn(server.app, 'ann@example.com', 'not the password at all')
      expect(wrong.response.json().code).toBe('invalid_credentials')

      const known = await server.app.inject(json('/v1/verify-email/resend', { email: 'ann@example.com' }))
      const unknown = await server.app.inject(json('/v1/verify-email/resend', { email: 'nobody@example.com' }))
      expect(known.statusCode).toBe(202)
      expect(unknown.statusCode).toBe(202)
      expect(unknown.body).toBe(known.body)
      const sent = await deliver()
      expect(sent.map(recipient)).toEqual(['ann@example.com'])

      const confirmed = await server.app.inject(json('/v1/verify-email/confirm', { token: tokenIn(sent[0]) }))
      expect(confirmed.statusCode).toBe(200)
      const signedIn = await signIn(server.app, 'ann@example.com', PASSWORD, { transport: 'bearer' })
      expect(signedIn.response.statusCode).toBe(200)
      expect(signedIn.response.json().user.emailVerified).toBe(true)
      // A verified account asks in vain: nothing is sent.
      await server.app.inject(json('/v1/verify-email/resend', { email: 'ann@example.com' }))
      expect(await deliver()).toHaveLength(0)
    })
  })
}

describe('signUp.requireVerifiedEmail and tokens', () => {
  it('refuses refresh and token exchange once the address is no longer verified, and spends nothing', async () => {
    const { server } = await mailServer('sqlite', { config: REQUIRE })
    await createApi(server)
    const client = await createClient(server)
    const { users, accounts } = server.tessera.services
    const user = await users.create({ email: 'ann@example.com', password: PASSWORD }, CLI)
    await accounts.verification.markVerified(user.id, CLI)
    await grantEverything(server, { kind: 'user', id: user.id })
    const { token } = await signIn(server.app, 'ann@example.com', PASSWORD, { transport: 'bearer' })
    const first = await exchange(server, client, token as string)
    expect(first.statusCode, first.body).toBe(200)
    const refreshToken = first.json().refresh_token as string

    // An operator moves the account to an address nobody has confirmed.
    await users.update(user.id, { email: 'ann@new.example.com' }, CLI)
    const refused = await refresh(server, client, refreshToken)
    expect(refused.statusCode).toBe(400)
    expect(refused.json().error).toBe('invalid_grant')
    expect(refused.json().error_description).toContain('email_not_verified')
    const exchanged = await exchange(server, client, token as string)
    expect(exchanged.statusCode).toBe(400)
    expect(exchanged.json().error).toBe('invalid_grant')
    expect((await signIn(server.app, 'ann@new.example.com')).response.json().code).toBe('email_not_verified')

    // Once verified again, the same refresh token works: the refusal spent nothing.
    await accounts.verification.markVerified(user.id, CLI)
    expect((await refresh(server, client, refreshToken, { resource: API })).statusCode).toBe(200)
  })

  it('on the hosted pages: sign-up shows the same step for a taken address, sign-in leads to it, authorize issues no code', async () => {
    const { server, deliver } = await mailServer('sqlite', { config: REQUIRE })
    const client = await oidcClient(server)
    const { challenge, verifier } = pkce()
    const browser = new Browser(server.app)
    const signInUrl = location(await browser.get(authorizeUrl(codeRequest(client, challenge))))
    const signUpPage = await browser.get(`/ui/sign-up${signInUrl.search}`)
    const fresh = await browser.post('/ui/sign-up', { ...hiddenFields(signUpPage.body), email: 'ann@example.com', password: PASSWORD })
    // The flow waits on its verify_email step (flows/steps/verify-email-step.ts), with no session.
    expect(fresh.statusCode).toBe(303)
    expect(location(fresh).pathname).toBe('/ui/verify-email/code')
    expect(browser.cookies.has('tessera_session')).toBe(false)
    const freshStep = await browser.get(location(fresh).pathname + location(fresh).search)
    expect(freshStep.body).toContain('Check your email')
    const again = await browser.get(`/ui/sign-up${signInUrl.search}`)
    const taken = await browser.post('/ui/sign-up', {
      ...hiddenFields(again.body),
      email: 'ann@example.com',
      password: 'a different long passphrase',
    })
    expect(taken.statusCode).toBe(303)
    expect(taken.headers.location).toBe(fresh.headers.location)
    const takenStep = await browser.get(location(taken).pathname + location(taken).search)
    // The same page but for the flow's CSRF token, which every version changes.
    const withoutCsrf = (body: string) => body.replace(/name="csrf" value="[^"]*"/g, '')
    expect(withoutCsrf(takenStep.body)).toBe(withoutCsrf(freshStep.body))
    const [verify] = await deliver()

    const page = await browser.get(signInUrl.pathname + signInUrl.search)
    const waiting = await browser.post('/ui/sign-in', { ...hiddenFields(page.body), email: 'ann@example.com', password: PASSWORD })
    expect(waiting.statusCode).toBe(303)
    expect(location(waiting).pathname).toBe('/ui/verify-email/code')
    expect(browser.cookies.has('tessera_session')).toBe(false)
    // The resend by address still answers as before.
    const resent = await browser.post('/ui/verify-email/resend', { email: 'ann@example.com' })
    expect(resent.statusCode).toBe(200)
    expect(resent.body).toContain('Check your email')

    // The first link still works until the resend's message is composed.
    const confirm = await browser.post('/ui/verify-email', { token: tokenIn(verify) })
    expect(confirm.statusCode).toBe(200)
    const fresh2 = await browser.get(signInUrl.pathname + signInUrl.search)
    const done = location(await browser.post('/ui/sign-in', { ...hiddenFields(fresh2.body), email: 'ann@example.com', password: PASSWORD }))
    expect(`${done.origin}${done.pathname}`).toBe(REDIRECT)
    expect((await redeem(server.app, client, done.searchParams.get('code') as string, verifier)).statusCode).toBe(200)

    // The address changes to one not yet confirmed: the browser's session authorizes nothing.
    const user = await server.tessera.services.users.get('ann@example.com')
    await server.tessera.services.users.update(user.id, { email: 'ann@new.example.com' }, CLI)
    const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    expect(next.pathname).toBe('/ui/sign-in')
    // Under prompt=none the client hears login_required, and gets no code.
    const silent = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { prompt: 'none' }))))
    expect(`${silent.origin}${silent.pathname}`).toBe(REDIRECT)
    expect(silent.searchParams.get('error')).toBe('login_required')
    expect(silent.searchParams.has('code')).toBe(false)
    expect(`${ORIGIN}/ui/sign-in`).toBe(`${next.origin}${next.pathname}`)
  })

  it('on the device page: a session whose address is no longer verified approves nothing and is sent to sign in', async () => {
    const { server } = await mailServer('sqlite', { config: REQUIRE })
    await createApi(server)
    const client = await deviceClient(server)
    const { users, accounts } = server.tessera.services
    const user = await users.create({ email: 'ann@example.com', password: PASSWORD }, CLI)
    await accounts.verification.markVerified(user.id, CLI)
    const started = await authorize(server, client)
    const { browser, page } = await signedInOnDevicePage(server, 'ann@example.com')
    const confirm = await browser.post('/ui/device', { ...hiddenFields(page.body), user_code: started.user_code })
    expect(confirm.body).toContain('/ui/device/decision')

    // An operator moves the account to an address nobody has confirmed: the forms this session
    // already holds still carry valid tokens, and lead to the sign-in, never to an approval.
    await users.update(user.id, { email: 'ann@new.example.com' }, CLI)
    const decided = await browser.post('/ui/device/decision', { ...hiddenFields(confirm.body), decision: 'allow' })
    expect(decided.statusCode).toBe(303)
    expect(location(decided).pathname).toBe('/ui/sign-in')
    const entered = await browser.post('/ui/device', { ...hiddenFields(page.body), user_code: started.user_code })
    expect(location(entered).pathname).toBe('/ui/sign-in')
    expect(location(await browser.get(`/ui/device?user_code=${started.user_code}`)).pathname).toBe('/ui/sign-in')
    server.clock.advance(5_000)
    expect((await poll(server, client, started.device_code)).json()).toMatchObject({ error: 'authorization_pending' })
  })
})
