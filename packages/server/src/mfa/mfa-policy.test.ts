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
} from '../../test/oidc-fixture.js'
import { PASSWORD } from '../../test/test-server.js'
import { en } from '../i18n/catalogues/en.js'
import { fr } from '../i18n/catalogues/fr.js'
import { escapeHtml } from '../ui/html.js'
import { totpCodeAt } from './totp.js'

const CLI = { kind: 'cli' } as const

describe('mfa.policy required over the JSON API (docs/mfa.md "Policy")', () => {
  it('makes a new account enrol an authenticator app before its first session, and refuses removing the last factor', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished, 'sqlite', { mfa: { policy: 'required' } })
    const { app, clock } = server
    const signUp = await app.inject({ method: 'POST', url: '/v1/sign-up', payload: { email: 'ann@example.com', password: PASSWORD } })
    expect(signUp.statusCode, signUp.body).toBe(201)
    expect(signUp.cookies).toEqual([])
    const { challenge, ...rest } = signUp.json()
    expect(rest).toEqual({ mfaEnrolmentRequired: true, factors: ['totp'] })

    // The pending sign-in is not a second-factor challenge: /v1/sign-in/mfa refuses it.
    const early = await app.inject({ method: 'POST', url: '/v1/sign-in/mfa', payload: { challenge, factor: 'totp', code: '000000' } })
    expect(early.json().code).toBe('flow_expired')

    const begun = await app.inject({ method: 'POST', url: '/v1/sign-in/mfa/enrol', payload: { challenge } })
    expect(begun.statusCode, begun.body).toBe(201)
    const { secret, uri } = begun.json()
    expect(uri).toMatch(/^otpauth:\/\/totp\//)
    // Asked again (a client retrying), the same pending app comes back.
    expect((await app.inject({ method: 'POST', url: '/v1/sign-in/mfa/enrol', payload: { challenge } })).json().secret).toBe(secret)

    const wrong = await app.inject({ method: 'POST', url: '/v1/sign-in/mfa/enrol/confirm', payload: { challenge, code: '000000' } })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.json().code).toBe('invalid_mfa_code')
    const done = await app.inject({
      method: 'POST',
      url: '/v1/sign-in/mfa/enrol/confirm',
      payload: { challenge, code: totpCodeAt(secret, clock.now()), transport: 'bearer' },
    })
    expect(done.statusCode, done.body).toBe(200)
    const body = done.json()
    expect(body.session.amr).toEqual(['pwd', 'otp', 'mfa'])
    expect(body.recoveryCodes).toHaveLength(10)
    // The challenge was single use.
    const again = await app.inject({ method: 'POST', url: '/v1/sign-in/mfa/enrol/confirm', payload: { challenge, code: '123456' } })
    expect(again.json().code).toBe('flow_expired')

    const headers = { authorization: `Bearer ${body.session.token}` }
    const [factor] = (await app.inject({ method: 'GET', url: '/v1/mfa', headers })).json().factors
    const removal = await app.inject({ method: 'DELETE', url: `/v1/mfa/${factor.id}`, headers })
    expect(removal.statusCode).toBe(409)
    expect(removal.json().code).toBe('last_factor_required')
    expect((await app.inject({ method: 'GET', url: '/v1/mfa', headers })).json().factors).toHaveLength(1)

    // The next sign-in asks for the factor it now has.
    clock.advance(30_000)
    const signIn = await app.inject({ method: 'POST', url: '/v1/sign-in', payload: { email: 'ann@example.com', password: PASSWORD } })
    expect(signIn.json()).toMatchObject({ mfaRequired: true, factors: ['totp', 'recovery_code'] })
  })

  it('asks an existing user without a factor to enrol at sign-in, through the flow API too', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite', { mfa: { policy: 'required' } })
    await server.tessera.services.users.create({ email: 'bob@example.com', password: PASSWORD }, CLI)
    const started = await server.app.inject({ method: 'POST', url: '/v1/flows', payload: { type: 'login' } })
    const { flow, token } = started.json()
    const headers = { 'tessera-flow-token': token }
    const url = `/v1/flows/${flow.id}`
    const password = await server.app.inject({
      method: 'POST',
      url,
      headers,
      payload: { step: 'password', email: 'bob@example.com', password: PASSWORD },
    })
    expect(password.json().flow.next).toEqual(['second_factor_enrolment'])
    expect(password.json().session).toBeUndefined()
    // The flow's token makes the challenge of the enrolment calls.
    const challenge = `${flow.id}.${token}`
    const { secret } = (await server.app.inject({ method: 'POST', url: '/v1/sign-in/mfa/enrol', payload: { challenge } })).json()
    const code = totpCodeAt(secret, server.clock.now())
    const done = await server.app.inject({
      method: 'POST',
      url,
      headers,
      payload: { step: 'second_factor_enrolment', code, transport: 'bearer' },
    })
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json()).toMatchObject({ flow: { next: [] }, session: { amr: ['pwd', 'otp', 'mfa'] } })
    expect(done.json().recoveryCodes).toHaveLength(10)
  })
})

describe('mfa.policy off', () => {
  it('refuses adding an authenticator app or a passkey with mfa_disabled', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite', { mfa: { policy: 'off' } })
    const { body } = await server.app
      .inject({ method: 'POST', url: '/v1/sign-up', payload: { email: 'c@example.com', password: PASSWORD, transport: 'bearer' } })
      .then((r) => ({ body: r.json() }))
    const headers = { authorization: `Bearer ${body.session.token}` }
    for (const url of ['/v1/mfa/totp', '/v1/mfa/webauthn/options']) {
      const refused = await server.app.inject({ method: 'POST', url, headers, payload: {} })
      expect(refused.statusCode, url).toBe(403)
      expect(refused.json().code).toBe('mfa_disabled')
    }
    expect((await server.app.inject({ method: 'GET', url: '/v1/mfa', headers })).json().factors).toEqual([])
  })
})

describe('an application that requires MFA (requireMfa), on the hosted pages', () => {
  it('sends a user without a factor through enrolment and the recovery codes, then back with a code; SSO into it needs mfa', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const client = await createClient(server)
    const strict = await createClient(server, { name: 'Bank' })
    await server.tessera.services.applications.update(strict.id, { requireMfa: true }, CLI)
    const browser = new Browser(server.app)

    // The lenient app signs Ann in with the password alone.
    const signInAt = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    const signInPage = await browser.get(signInAt.pathname + signInAt.search)
    const lenient = location(
      await browser.post('/ui/sign-in', { ...hiddenFields(signInPage.body), email: 'ann@example.com', password: PASSWORD }),
    )
    expect(`${lenient.origin}${lenient.pathname}`).toBe(REDIRECT)

    // The strict app does not take that one-factor session: it steps up (flows/step-up.ts); six
    // minutes after the sign-in, adding a factor needs the password again, then the enrolment.
    server.clock.advance(6 * 60_000)
    const again = location(await browser.get(authorizeUrl(codeRequest(strict, pkce().challenge))))
    expect(again.pathname).toBe('/ui/sign-in')
    const page = await browser.get(again.pathname + again.search)
    const enrolAt = location(
      await browser.post('/ui/sign-in', { ...hiddenFields(page.body), email: 'ann@example.com', password: PASSWORD }),
    )
    expect(enrolAt.pathname).toBe('/ui/second-factor/enrol')
    const enrol = await browser.get(enrolAt.pathname + enrolAt.search)
    expect(enrol.statusCode).toBe(200)
    expect(enrol.body).toContain('<svg role="img"')
    expect(enrol.headers['content-security-policy']).not.toContain('unsafe-inline')
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.body)?.[1]?.replaceAll(' ', '') as string
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)

    const wrong = await browser.post('/ui/second-factor/enrol', { ...hiddenFields(enrol.body), code: '000000' })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.body).toContain(secret.slice(0, 4)) // the same app, shown again
    const codes = await browser.post('/ui/second-factor/enrol', {
      ...hiddenFields(wrong.body),
      code: totpCodeAt(secret, server.clock.now()),
    })
    expect(codes.statusCode).toBe(200)
    expect(codes.body.match(/<li><code>[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}<\/code><\/li>/g)).toHaveLength(10)
    const back = location(await browser.post('/ui/recovery-codes', hiddenFields(codes.body)))
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
    expect(back.searchParams.get('code')).toBeTruthy()

    // That session reached mfa: the strict app now gets a code without a page.
    const sso = location(await browser.get(authorizeUrl(codeRequest(strict, pkce().challenge))))
    expect(`${sso.origin}${sso.pathname}`).toBe(REDIRECT)
  })
})

describe("the enrolment and recovery-code pages speak the request's language (docs/localization.md)", () => {
  for (const [locale, catalogue] of [
    ['en', en],
    ['fr', fr],
  ] as const) {
    it(`renders enrolment and the recovery codes in ${locale}`, async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, 'sqlite', { mfa: { policy: 'required' } })
      await createUser(server)
      const client = await createClient(server)
      const browser = new Browser(server.app)
      const at = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { ui_locales: locale }))))
      const signIn = await browser.get(at.pathname + at.search)
      expect(signIn.body).toContain(`>${catalogue['signIn.passkey']}</button>`)
      const enrolAt = location(
        await browser.post('/ui/sign-in', { ...hiddenFields(signIn.body), email: 'ann@example.com', password: PASSWORD }),
      )
      const enrol = await browser.get(enrolAt.pathname + enrolAt.search)
      expect(enrol.body).toContain(`<html lang="${locale}">`)
      expect(enrol.body).toContain(`<h1>${escapeHtml(catalogue['mfaEnrol.title'])}</h1>`)
      expect(enrol.body).toContain(escapeHtml(catalogue['mfaEnrol.manualKey']))
      expect(enrol.body).toContain(`>${escapeHtml(catalogue['mfaEnrol.turnOn'])}</button>`)
      expect(enrol.body).toContain(escapeHtml(catalogue['mfaEnrol.qrLabel']))
      const wrong = await browser.post('/ui/second-factor/enrol', { ...hiddenFields(enrol.body), code: '000000' })
      expect(wrong.body).toContain(escapeHtml(catalogue['error.invalid_mfa_code']))
      const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.body)?.[1]?.replaceAll(' ', '') as string
      const codes = await browser.post('/ui/second-factor/enrol', {
        ...hiddenFields(wrong.body),
        code: totpCodeAt(secret, server.clock.now()),
      })
      expect(codes.body).toContain(`<h1>${escapeHtml(catalogue['recoveryCodes.title'])}</h1>`)
      expect(codes.body).toContain(escapeHtml(catalogue['recoveryCodes.lead']))
      expect(codes.body).toContain(`>${escapeHtml(catalogue['recoveryCodes.continue'])}</button>`)
    })
  }
})
