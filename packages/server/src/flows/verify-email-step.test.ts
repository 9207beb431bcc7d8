import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { expectProblem } from '../../test/admin-client.js'
import { codeIn, mailServer, recipient, tokenIn } from '../../test/mail-fixture.js'
import {
  authorizeUrl,
  Browser,
  codeRequest,
  hiddenFields,
  location,
  createClient as oidcClient,
  pkce,
  REDIRECT,
} from '../../test/oidc-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { PASSWORD, signIn } from '../../test/test-server.js'
import { en } from '../i18n/catalogues/en.js'
import { fr } from '../i18n/catalogues/fr.js'

const REQUIRE = { signUp: { requireVerifiedEmail: true } }

function post(app: FastifyInstance, url: string, payload: object, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, payload, headers })
}

/** A login flow started over the JSON API, and a way to submit its steps. */
async function apiFlow(app: FastifyInstance) {
  const started = await post(app, '/v1/flows', { type: 'login' })
  expect(started.statusCode).toBe(201)
  const { flow, token } = started.json() as { flow: { id: string }; token: string }
  const headers = { 'tessera-flow-token': token }
  return {
    id: flow.id,
    submit: (body: object) => post(app, `/v1/flows/${flow.id}`, body, headers),
    read: () => app.inject({ method: 'GET', url: `/v1/flows/${flow.id}`, headers }),
  }
}

const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000')

for (const dialect of DIALECTS) {
  describe(`the verify_email step on ${dialect}`, () => {
    it('follows a registration under requireVerifiedEmail; the code of the message ends it with a session', async () => {
      const { server, deliver } = await mailServer(dialect, { config: REQUIRE })
      const flow = await apiFlow(server.app)
      const registered = await flow.submit({ step: 'registration', email: 'ann@example.com', password: PASSWORD, transport: 'bearer' })
      expect(registered.statusCode, registered.body).toBe(200)
      expect(registered.json().flow.next).toEqual(['verify_email'])
      expect(registered.json().session).toBeUndefined()
      expect(registered.cookies).toHaveLength(0)
      const [message] = await deliver()
      expect(recipient(message)).toBe('ann@example.com')

      // Not yet verified: "continue" without a code says so, and the flow waits.
      expectProblem(await flow.submit({ step: 'verify_email' }), 403, 'email_not_verified')
      const done = await flow.submit({ step: 'verify_email', code: codeIn(message), transport: 'bearer' })
      expect(done.statusCode, done.body).toBe(200)
      expect(done.json().flow.next).toEqual([])
      expect(done.json().user).toMatchObject({ email: 'ann@example.com', emailVerified: true })
      const session = await server.app.inject({
        method: 'GET',
        url: '/v1/session',
        headers: { authorization: `Bearer ${done.json().session.token}` },
      })
      expect(session.json().user.emailVerified).toBe(true)
      // The flow is over, and the link of the same message is spent with the code.
      expect((await flow.read()).statusCode).toBe(400)
      expectProblem(await post(server.app, '/v1/verify-email/confirm', { token: tokenIn(message) }), 400, 'account_token_used')
    })
  })
}

describe('the verify_email step', () => {
  it('refuses wrong codes, dies after 5, refuses an expired code, and a resend gives a working one', async () => {
    const { server, deliver } = await mailServer('sqlite', { config: REQUIRE })
    const flow = await apiFlow(server.app)
    await flow.submit({ step: 'registration', email: 'ann@example.com', password: PASSWORD })
    const first = codeIn((await deliver())[0])
    for (let i = 1; i <= 4; i++)
      expectProblem(await flow.submit({ step: 'verify_email', code: wrongCode(first) }), 400, 'verification_code_invalid')
    expectProblem(await flow.submit({ step: 'verify_email', code: wrongCode(first) }), 400, 'verification_code_exhausted')
    // Dead: the right code is refused now, and the flow still waits.
    expectProblem(await flow.submit({ step: 'verify_email', code: first }), 400, 'verification_code_invalid')
    expect((await flow.read()).json().flow.next).toEqual(['verify_email'])

    // Resend is an action of the step: the flow stays, a new message comes, the old code is dead.
    const resent = await flow.submit({ step: 'verify_email', action: 'resend' })
    expect(resent.statusCode, resent.body).toBe(200)
    expect(resent.json().flow.next).toEqual(['verify_email'])
    const second = codeIn((await deliver())[0])
    // Ten minutes later the code has expired.
    server.clock.advance(10 * 60_000)
    expectProblem(await flow.submit({ step: 'verify_email', code: second }), 400, 'verification_code_invalid')
    expect((await server.tessera.stores.users.findByEmail('ann@example.com'))?.emailVerified).toBe(false)

    // The flow itself expires after 15 minutes; a sign-in starts the step again, and a fresh code works.
    const again = await apiFlow(server.app)
    const signedIn = await again.submit({ step: 'password', email: 'ann@example.com', password: PASSWORD })
    expect(signedIn.json().flow.next).toEqual(['verify_email'])
    await again.submit({ step: 'verify_email', action: 'resend' })
    const third = codeIn((await deliver())[0])
    const done = await again.submit({ step: 'verify_email', code: third, transport: 'bearer' })
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json().session.token).toMatch(/\./)
  })

  it('throttles the resend action per address, with the same 429 for any flow', async () => {
    const { server, deliver } = await mailServer('sqlite', { config: { ...REQUIRE, email: { requestsPerAddress: 2 } } })
    const flow = await apiFlow(server.app)
    await flow.submit({ step: 'registration', email: 'ann@example.com', password: PASSWORD })
    await deliver()
    expect((await flow.submit({ step: 'verify_email', action: 'resend' })).statusCode).toBe(200)
    expect((await flow.submit({ step: 'verify_email', action: 'resend' })).statusCode).toBe(200)
    const limited = await flow.submit({ step: 'verify_email', action: 'resend' })
    expectProblem(limited, 429, 'rate_limited')
    expect(limited.headers['retry-after']).toBeDefined()
    expect(await deliver()).toHaveLength(2)
  })

  it('continues when the link of the message is opened in another browser, then the flow is polled', async () => {
    const { server, deliver } = await mailServer('sqlite', { config: REQUIRE })
    const flow = await apiFlow(server.app)
    await flow.submit({ step: 'registration', email: 'ann@example.com', password: PASSWORD })
    const [message] = await deliver()

    // Another device, with no flow, no cookie: the link's page verifies the address.
    const phone = new Browser(server.app)
    const page = await phone.get(`/ui/verify-email?token=${tokenIn(message)}`)
    expect(page.statusCode).toBe(200)
    const confirmed = await phone.post('/ui/verify-email', { token: tokenIn(message) })
    expect(confirmed.statusCode).toBe(200)
    expect(confirmed.body).toContain('ann@example.com')
    // The link is single use.
    expect((await phone.post('/ui/verify-email', { token: tokenIn(message) })).statusCode).toBe(400)

    const done = await flow.submit({ step: 'verify_email', transport: 'bearer' })
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json().user.emailVerified).toBe(true)
    // The code of the same message died with the link.
    const other = await apiFlow(server.app)
    const direct = await other.submit({ step: 'password', email: 'ann@example.com', password: PASSWORD })
    expect(direct.json().flow.next).toEqual([])
  })

  it('answers a registration with a taken address exactly as a new one, and that flow never passes (no enumeration)', async () => {
    const { server, deliver } = await mailServer('sqlite', { config: REQUIRE })
    const owner = await apiFlow(server.app)
    await owner.submit({ step: 'registration', email: 'ann@example.com', password: PASSWORD })
    const [verify] = await deliver()
    await owner.submit({ step: 'verify_email', code: codeIn(verify) })

    const fresh = await apiFlow(server.app)
    const taken = await apiFlow(server.app)
    const a = await fresh.submit({ step: 'registration', email: 'bob@example.com', password: 'another long passphrase' })
    const b = await taken.submit({ step: 'registration', email: 'Ann@Example.com', password: 'another long passphrase' })
    const shape = (response: typeof a) => {
      const body = response.json()
      return {
        status: response.statusCode,
        next: body.flow.next,
        done: body.flow.done.map((d: { step: string }) => d.step),
        keys: Object.keys(body),
      }
    }
    expect(shape(b)).toEqual(shape(a))
    const messages = await deliver()
    expect(messages.map(recipient).sort()).toEqual(['ann@example.com', 'bob@example.com'])
    const notice = messages.find((m) => recipient(m) === 'ann@example.com')
    expect(notice?.text).not.toMatch(/\n\d{6}\n/)

    // Every answer of the step is the same for both flows, to the fifth wrong try and after it.
    for (let i = 1; i <= 6; i++) {
      const x = await fresh.submit({
        step: 'verify_email',
        code: '000000' === codeIn(messages.find((m) => recipient(m) === 'bob@example.com')) ? '111111' : '000000',
      })
      const y = await taken.submit({ step: 'verify_email', code: '000000' })
      expect([y.statusCode, y.json().code], `try ${i}`).toEqual([x.statusCode, x.json().code])
    }
    for (const body of [{ step: 'verify_email' }, { step: 'verify_email', action: 'resend' }]) {
      const x = await fresh.submit(body)
      const y = await taken.submit(body)
      expect([y.statusCode, y.json().code ?? y.json().flow.next]).toEqual([x.statusCode, x.json().code ?? x.json().flow.next])
    }
    // The taken flow's resend reached no one (the owner is verified); the account is untouched.
    expect((await deliver()).map(recipient)).toEqual(['bob@example.com'])
    expect((await signIn(server.app, 'ann@example.com', 'another long passphrase')).response.statusCode).toBe(401)
  })

  it('keeps /v1/sign-in a 403 for an unverified account, and the one-request /v1/sign-up a 202', async () => {
    const { server, deliver } = await mailServer('sqlite', { config: REQUIRE })
    const signUp = await post(server.app, '/v1/sign-up', { email: 'ann@example.com', password: PASSWORD })
    expect(signUp.statusCode).toBe(202)
    expect(signUp.json().status).toBe('verification_sent')
    await deliver()
    expectProblem((await signIn(server.app, 'ann@example.com')).response, 403, 'email_not_verified')
    expectProblem((await signIn(server.app, 'ann@example.com', 'wrong wrong wrong')).response, 401, 'invalid_credentials')
  })

  it('on the hosted pages: sign-up and sign-in lead to the step, whose code or link goes on to the client', async () => {
    const { server, deliver } = await mailServer('sqlite', { config: REQUIRE })
    const client = await oidcClient(server)
    const browser = new Browser(server.app)
    const signInUrl = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    const signUpPage = await browser.get(`/ui/sign-up${signInUrl.search}`)
    const signedUp = await browser.post('/ui/sign-up', { ...hiddenFields(signUpPage.body), email: 'ann@example.com', password: PASSWORD })
    expect(signedUp.statusCode).toBe(303)
    const stepUrl = location(signedUp)
    expect(stepUrl.pathname).toBe('/ui/verify-email/code')
    expect([...browser.cookies.keys()].some((name) => name.endsWith('tessera_session'))).toBe(false)
    const step = await browser.get(stepUrl.pathname + stepUrl.search)
    expect(step.statusCode).toBe(200)
    expect(step.body).toContain(en['verifyStep.title'])
    expect(step.body).toContain('<strong>ann@example.com</strong>')
    const [message] = await deliver()

    const { action: _resend, ...fields } = hiddenFields(step.body)
    const wrong = await browser.post('/ui/verify-email/code', { ...fields, code: wrongCode(codeIn(message)) })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.body).toContain(en['error.verification_code_invalid'])
    const { action: _again, ...current } = hiddenFields(wrong.body)
    const done = location(await browser.post('/ui/verify-email/code', { ...current, code: codeIn(message) }))
    expect(`${done.origin}${done.pathname}`).toBe(REDIRECT)
    expect(done.searchParams.get('code')).toBeTruthy()
    expect([...browser.cookies.keys()].some((name) => name.endsWith('tessera_session'))).toBe(true)
  })

  it('on the hosted pages: refreshing the step after the link was used on another device goes on', async () => {
    const { server, deliver } = await mailServer('sqlite', { config: REQUIRE })
    await server.tessera.services.users.create({ email: 'ann@example.com', password: PASSWORD }, { kind: 'cli' })
    const client = await oidcClient(server)
    const browser = new Browser(server.app)
    const signInUrl = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    const page = await browser.get(signInUrl.pathname + signInUrl.search)
    const signedIn = await browser.post('/ui/sign-in', { ...hiddenFields(page.body), email: 'ann@example.com', password: PASSWORD })
    const stepUrl = location(signedIn)
    expect(stepUrl.pathname).toBe('/ui/verify-email/code')
    const step = await browser.get(stepUrl.pathname + stepUrl.search)
    // The operator-made account got no message: the step's resend sends one.
    const resent = await browser.post('/ui/verify-email/code', { ...hiddenFields(step.body), action: 'resend' })
    expect(resent.statusCode).toBe(200)
    expect(resent.body).toContain(en['verifyStep.resent'])
    const [message] = await deliver()
    expect(recipient(message)).toBe('ann@example.com')

    // Still waiting: the page shows itself again.
    expect((await browser.get(stepUrl.pathname + stepUrl.search)).statusCode).toBe(200)
    const phone = new Browser(server.app)
    expect((await phone.post('/ui/verify-email', { token: tokenIn(message) })).statusCode).toBe(200)
    const done = location(await browser.get(stepUrl.pathname + stepUrl.search))
    expect(`${done.origin}${done.pathname}`).toBe(REDIRECT)
    expect(done.searchParams.get('code')).toBeTruthy()
  })
})

describe('the language of the verify_email step', () => {
  it("follows the flow's ui_locales on its page and in the messages its resend causes", async () => {
    const { server, deliver } = await mailServer('sqlite', { config: REQUIRE })
    const client = await oidcClient(server)
    const browser = new Browser(server.app)
    const signInUrl = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { ui_locales: 'fr' }))))
    const signUpPage = await browser.get(`/ui/sign-up${signInUrl.search}`)
    const signedUp = await browser.post('/ui/sign-up', { ...hiddenFields(signUpPage.body), email: 'ann@example.com', password: PASSWORD })
    const stepUrl = location(signedUp)
    // No Accept-Language at all: the language is the flow's own.
    const step = await browser.get(stepUrl.pathname + stepUrl.search)
    expect(step.body).toContain(fr['verifyStep.title'])
    expect(step.body).toContain('lang="fr"')
    const [first] = await deliver()
    expect(first?.subject).toBe(fr['email.verify_email.subject'].replace('{product}', 'Tessera'))
    const resent = await browser.post('/ui/verify-email/code', { ...hiddenFields(step.body), action: 'resend' })
    expect(resent.body).toContain(fr['verifyStep.resent'])
    const [second] = await deliver()
    expect(second?.subject).toBe(fr['email.verify_email.subject'].replace('{product}', 'Tessera'))
  })

  it('follows Accept-Language over the JSON flow API', async () => {
    const { server, deliver } = await mailServer('sqlite', { config: REQUIRE })
    const started = await post(server.app, '/v1/flows', { type: 'login' }, { 'accept-language': 'fr' })
    const { flow, token } = started.json() as { flow: { id: string }; token: string }
    const headers = { 'tessera-flow-token': token, 'accept-language': 'fr' }
    await post(server.app, `/v1/flows/${flow.id}`, { step: 'registration', email: 'ann@example.com', password: PASSWORD }, headers)
    const [message] = await deliver()
    expect(message?.subject).toBe(fr['email.verify_email.subject'].replace('{product}', 'Tessera'))
    expect(message?.text).toContain(codeIn(message))
  })
})

describe('the verify_email step, chosen while signUp.requireVerifiedEmail is off', () => {
  it('over /v1/flows: a registration may ask for the step, then answer it or skip it; without asking, it signs in at once', async () => {
    const { server, deliver } = await mailServer('sqlite')
    const chosen = await apiFlow(server.app)
    const waiting = await chosen.submit({ step: 'registration', email: 'ann@example.com', password: PASSWORD, verifyEmail: true })
    expect(waiting.statusCode, waiting.body).toBe(200)
    expect(waiting.json().flow.next).toEqual(['verify_email'])
    expect(waiting.json().session).toBeUndefined()
    const [message] = await deliver()
    const done = await chosen.submit({ step: 'verify_email', code: codeIn(message), transport: 'bearer' })
    expect(done.json().user).toMatchObject({ email: 'ann@example.com', emailVerified: true })
    expect(done.json().session.token).toMatch(/\./)

    const skipped = await apiFlow(server.app)
    await skipped.submit({ step: 'registration', email: 'bob@example.com', password: PASSWORD, verifyEmail: true })
    const later = await skipped.submit({ step: 'verify_email', action: 'skip', transport: 'bearer' })
    expect(later.statusCode, later.body).toBe(200)
    expect(later.json().user).toMatchObject({ email: 'bob@example.com', emailVerified: false })
    expect(later.json().session.token).toMatch(/\./)

    const plain = await apiFlow(server.app)
    const direct = await plain.submit({ step: 'registration', email: 'cy@example.com', password: PASSWORD })
    expect(direct.json().flow.next).toEqual([])
    expect(direct.json().user.email).toBe('cy@example.com')
  })

  it('cannot be skipped where the setting requires it', async () => {
    const { server } = await mailServer('sqlite', { config: REQUIRE })
    const flow = await apiFlow(server.app)
    await flow.submit({ step: 'registration', email: 'ann@example.com', password: PASSWORD, verifyEmail: true })
    expectProblem(await flow.submit({ step: 'verify_email', action: 'skip' }), 403, 'email_not_verified')
    expect((await flow.read()).json().flow.next).toEqual(['verify_email'])
  })

  it('on the hosted pages: the sign-up offers it (only where it is optional), and its page can be skipped', async () => {
    const required = await mailServer('sqlite', { config: REQUIRE })
    const requiredClient = await oidcClient(required.server)
    const other = new Browser(required.server.app)
    const otherUrl = location(await other.get(authorizeUrl(codeRequest(requiredClient, pkce().challenge))))
    expect((await other.get(`/ui/sign-up${otherUrl.search}`)).body).not.toContain('name="verifyEmail"')

    const { server, deliver } = await mailServer('sqlite')
    const client = await oidcClient(server)
    const browser = new Browser(server.app)
    const signInUrl = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    const signUpPage = await browser.get(`/ui/sign-up${signInUrl.search}`)
    expect(signUpPage.body).toContain('name="verifyEmail"')
    const fields = { ...hiddenFields(signUpPage.body), email: 'ann@example.com', password: PASSWORD, verifyEmail: 'now' }
    const stepUrl = location(await browser.post('/ui/sign-up', fields))
    expect(stepUrl.pathname).toBe('/ui/verify-email/code')
    const step = await browser.get(stepUrl.pathname + stepUrl.search)
    expect(step.body).toContain(en['verifyStep.skip'])
    await deliver()
    const done = location(await browser.post('/ui/verify-email/code', { ...hiddenFields(step.body), action: 'skip' }))
    expect(`${done.origin}${done.pathname}`).toBe(REDIRECT)
    expect(done.searchParams.get('code')).toBeTruthy()
    expect((await server.tessera.stores.users.findByEmail('ann@example.com'))?.emailVerified).toBe(false)
  })
})
