import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import { expectProblem } from '../../test/admin-client.js'
import { codeIn, linkIn, mailServer, recipient, tokenIn } from '../../test/mail-fixture.js'
import { Browser, hiddenFields, location } from '../../test/oidc-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { PASSWORD, signIn, signUp } from '../../test/test-server.js'
import { en } from '../i18n/catalogues/en.js'
import { fr } from '../i18n/catalogues/fr.js'

const NEW_PASSWORD = 'a fresh and long passphrase'

function post(app: FastifyInstance, url: string, payload: object, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, payload, headers })
}

/** A recovery flow started over the JSON API. */
async function recoveryFlow(app: FastifyInstance) {
  const started = await post(app, '/v1/flows', { type: 'recovery' })
  expect(started.statusCode, started.body).toBe(201)
  const { flow, token } = started.json() as { flow: { id: string; type: string; next: string[] }; token: string }
  expect(flow.type).toBe('recovery')
  expect(flow.next).toEqual(['recovery_email'])
  const headers = { 'tessera-flow-token': token }
  return {
    submit: (body: object) => post(app, `/v1/flows/${flow.id}`, body, headers),
    read: () => app.inject({ method: 'GET', url: `/v1/flows/${flow.id}`, headers }),
  }
}

const wrongCode = (code: string) => (code === '000000' ? '111111' : '000000')
/** The parts of an answer a client sees, without the flow's own id and times. */
const seen = (response: LightMyRequestResponse) => {
  const body = response.json()
  return { status: response.statusCode, code: body.code, next: body.flow?.next, keys: Object.keys(body).sort() }
}

/**
 * Ann (signed up on SQLite, her welcome message delivered) asks for a reset on the hosted
 * forgot-password page: her browser, the flow page it was sent to, and the message with the code.
 */
async function hostedRecovery() {
  const { server, deliver } = await mailServer('sqlite')
  await signUp(server.app, 'ann@example.com')
  await deliver()
  const browser = new Browser(server.app)
  const asked = await browser.post('/ui/forgot-password', { email: 'ann@example.com' })
  const pageUrl = location(asked).pathname + location(asked).search
  const page = await browser.get(pageUrl)
  const [message] = await deliver()
  return { server, browser, pageUrl, page, message }
}

for (const dialect of DIALECTS) {
  describe(`the recovery flow on ${dialect}`, () => {
    it('goes from the address to the code of the message to a new password, and revokes every session', async () => {
      const { server, deliver } = await mailServer(dialect)
      const { token: before } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      await deliver()

      const flow = await recoveryFlow(server.app)
      const asked = await flow.submit({ step: 'recovery_email', email: 'Ann@Example.com' })
      expect(asked.statusCode, asked.body).toBe(200)
      expect(asked.json().flow.next).toEqual(['recovery_code'])
      const [message] = await deliver()
      expect(recipient(message)).toBe('ann@example.com')
      expect(linkIn(message)).toMatch(/\/ui\/reset-password\?token=/)
      const code = codeIn(message)

      const proven = await flow.submit({ step: 'recovery_code', code })
      expect(proven.statusCode, proven.body).toBe(200)
      expect(proven.json().flow.next).toEqual(['new_password'])
      // The password policy first: a refused password leaves the step waiting.
      expectProblem(await flow.submit({ step: 'new_password', password: 'password' }), 400, 'password_too_common')
      const done = await flow.submit({ step: 'new_password', password: NEW_PASSWORD })
      expect(done.statusCode, done.body).toBe(200)
      expect(done.json().flow.next).toEqual([])
      expect(done.json().session).toBeUndefined()
      expect((await flow.read()).statusCode).toBe(400)

      // Every session of the user is gone; the old password is refused, the new one works.
      const session = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${before}` } })
      expect(session.statusCode).toBe(401)
      expect((await signIn(server.app, 'ann@example.com', PASSWORD)).response.statusCode).toBe(401)
      expect((await signIn(server.app, 'ann@example.com', NEW_PASSWORD)).response.statusCode).toBe(200)
      // The link of the same message is dead, and the owner is told.
      expectProblem(
        await post(server.app, '/v1/password-reset/confirm', { token: tokenIn(message), password: 'yet another long passphrase' }),
        400,
        'account_token_used',
      )
      const [notice] = await deliver()
      expect(notice?.subject).toMatch(/password was changed/i)
    })
  })
}

describe('the recovery flow', () => {
  it('answers an address without an account exactly as one with, at every step (no enumeration)', async () => {
    const { server, deliver } = await mailServer('sqlite')
    await signUp(server.app, 'ann@example.com')
    await deliver()
    const known = await recoveryFlow(server.app)
    const unknown = await recoveryFlow(server.app)
    const a = await known.submit({ step: 'recovery_email', email: 'ann@example.com' })
    const b = await unknown.submit({ step: 'recovery_email', email: 'nobody@example.com' })
    expect(seen(b)).toEqual(seen(a))
    const messages = await deliver()
    expect(messages.map(recipient)).toEqual(['ann@example.com'])
    const code = codeIn(messages[0])
    for (let i = 1; i <= 6; i++) {
      const x = await known.submit({ step: 'recovery_code', code: wrongCode(code) })
      const y = await unknown.submit({ step: 'recovery_code', code: '000000' })
      expect(seen(y), `try ${i}`).toEqual(seen(x))
    }
    const x = await known.submit({ step: 'recovery_code', action: 'resend' })
    const y = await unknown.submit({ step: 'recovery_code', action: 'resend' })
    expect(seen(y)).toEqual(seen(x))
    expect((await deliver()).map(recipient)).toEqual(['ann@example.com'])
    // Neither flow may skip to the new password.
    expectProblem(await unknown.submit({ step: 'new_password', password: NEW_PASSWORD }), 400, 'flow_expired')
    expectProblem(await known.submit({ step: 'new_password', password: NEW_PASSWORD }), 400, 'flow_expired')
  })

  it('refuses wrong codes and kills them after 5, refuses an expired code, and a used code in another flow', async () => {
    const { server, deliver } = await mailServer('sqlite')
    await signUp(server.app, 'ann@example.com')
    await deliver()
    const flow = await recoveryFlow(server.app)
    await flow.submit({ step: 'recovery_email', email: 'ann@example.com' })
    const first = codeIn((await deliver())[0])
    for (let i = 1; i <= 4; i++)
      expectProblem(await flow.submit({ step: 'recovery_code', code: wrongCode(first) }), 400, 'verification_code_invalid')
    expectProblem(await flow.submit({ step: 'recovery_code', code: wrongCode(first) }), 400, 'verification_code_exhausted')
    expectProblem(await flow.submit({ step: 'recovery_code', code: first }), 400, 'verification_code_invalid')

    // A new message: its code expires after 10 minutes.
    await flow.submit({ step: 'recovery_code', action: 'resend' })
    const second = codeIn((await deliver())[0])
    server.clock.advance(10 * 60_000)
    expectProblem(await flow.submit({ step: 'recovery_code', code: second }), 400, 'verification_code_invalid')

    // A third: used once, it is spent; another flow cannot use it again.
    const again = await recoveryFlow(server.app)
    await again.submit({ step: 'recovery_email', email: 'ann@example.com' })
    const third = codeIn((await deliver())[0])
    expect((await again.submit({ step: 'recovery_code', code: third })).json().flow.next).toEqual(['new_password'])
    const other = await recoveryFlow(server.app)
    await other.submit({ step: 'recovery_email', email: 'ann@example.com' })
    expectProblem(await other.submit({ step: 'recovery_code', code: third }), 400, 'verification_code_invalid')
    // The password is unchanged by any of this.
    expect((await signIn(server.app, 'ann@example.com', PASSWORD)).response.statusCode).toBe(200)
  })

  it('keeps one live code: a new message supersedes the code before it, not its link', async () => {
    const { server, deliver } = await mailServer('sqlite')
    await signUp(server.app, 'ann@example.com')
    await deliver()
    const flow = await recoveryFlow(server.app)
    await flow.submit({ step: 'recovery_email', email: 'ann@example.com' })
    const [first] = await deliver()
    await flow.submit({ step: 'recovery_code', action: 'resend' })
    const [second] = await deliver()
    // Equal codes (one chance in a million) would make the first refusal below meaningless.
    if (codeIn(first) !== codeIn(second)) {
      expectProblem(await flow.submit({ step: 'recovery_code', code: codeIn(first) }), 400, 'verification_code_invalid')
    }
    expect((await flow.submit({ step: 'recovery_code', code: codeIn(second) })).json().flow.next).toEqual(['new_password'])
    // The first message's link still works until a password is set.
    const page = await server.app.inject({ method: 'GET', url: `/ui/reset-password?token=${tokenIn(first)}` })
    expect(page.statusCode).toBe(200)
    expect((await post(server.app, '/v1/password-reset/confirm', { token: tokenIn(first), password: NEW_PASSWORD })).statusCode).toBe(204)
    // ...which ends the flow's right to set one.
    expectProblem(await flow.submit({ step: 'new_password', password: 'yet another long passphrase' }), 400, 'account_token_used')
  })

  it('limits the requests per address with the same 429 for an unknown address, and refuses a bad address', async () => {
    const { server } = await mailServer('sqlite', { config: { email: { requestsPerAddress: 1 } } })
    await signUp(server.app, 'ann@example.com')
    const answers: [number, string][] = []
    for (const email of ['ann@example.com', 'nobody@example.com']) {
      const flow = await recoveryFlow(server.app)
      expect((await flow.submit({ step: 'recovery_email', email })).statusCode).toBe(200)
      const limited = await flow.submit({ step: 'recovery_code', action: 'resend' })
      answers.push([limited.statusCode, limited.json().code])
    }
    expect(answers).toEqual([
      [429, 'rate_limited'],
      [429, 'rate_limited'],
    ])
    const flow = await recoveryFlow(server.app)
    expectProblem(await flow.submit({ step: 'recovery_email', email: 'not an address' }), 400, 'invalid_email')
    expectProblem(await flow.submit({ step: 'recovery_email', email: 'evil@example.com\r\nBcc: x@example.com' }), 400, 'invalid_email')
  })

  it('on the hosted pages, from "Forgot your password?" to the done page, in the language of the browser', async () => {
    const { server, deliver } = await mailServer('sqlite')
    const { cookieHeader } = await signUp(server.app, 'ann@example.com')
    await deliver()
    const browser = new Browser(server.app)
    const french = { 'accept-language': 'fr-FR,fr;q=0.9' }
    const forgot = await browser.get('/ui/forgot-password', french)
    expect(forgot.body).toContain(fr['forgot.title'])
    const asked = await browser.post('/ui/forgot-password', { email: 'ann@example.com' }, { origin: 'https://id.example.test', ...french })
    expect(asked.statusCode).toBe(303)
    const page = await browser.get(location(asked).pathname + location(asked).search, french)
    expect(page.statusCode).toBe(200)
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.body).toContain(fr['checkEmail.title'])
    expect(page.body).toContain('<strong>ann@example.com</strong>')
    const [message] = await deliver()
    // The message is in the language of the request that asked for it.
    expect(message?.subject).toBe(fr['email.password_reset.subject'].replace('{product}', 'Tessera'))

    const { action: _resend, ...fields } = hiddenFields(page.body)
    const wrong = await browser.post('/ui/recovery/code', { ...fields, code: wrongCode(codeIn(message)) })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.body).toContain(en['error.verification_code_invalid'])
    const { action: _again, ...current } = hiddenFields(wrong.body)
    const proven = await browser.post('/ui/recovery/code', { ...current, code: codeIn(message) })
    expect(proven.statusCode).toBe(303)
    const passwordPage = await browser.get(location(proven).pathname + location(proven).search)
    expect(passwordPage.body).toContain('action="/ui/recovery/password"')
    // A cross-site post is refused before anything happens.
    const forged = await browser.post(
      '/ui/recovery/password',
      { ...hiddenFields(passwordPage.body), password: NEW_PASSWORD },
      { origin: 'https://evil.example' },
    )
    expect(forged.statusCode).toBe(403)
    const weak = await browser.post('/ui/recovery/password', { ...hiddenFields(passwordPage.body), password: 'password' })
    expect(weak.statusCode).toBe(400)
    expect(weak.body).toContain(en['error.password_too_common'])
    const done = await browser.post('/ui/recovery/password', { ...hiddenFields(weak.body), password: NEW_PASSWORD })
    expect(done.statusCode, done.body).toBe(200)
    expect(done.body).toContain(en['resetDone.heading'])
    // The browser session from before is gone; the new password signs in.
    const session = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: cookieHeader as string } })
    expect(session.statusCode).toBe(401)
    expect((await signIn(server.app, 'ann@example.com', NEW_PASSWORD)).response.statusCode).toBe(200)
  })

  it('ends a hosted flow whose link was used in another browser, and refuses its code', async () => {
    const { server, browser, pageUrl, page, message } = await hostedRecovery()

    const phone = new Browser(server.app)
    expect((await phone.get(`/ui/reset-password?token=${tokenIn(message)}`)).statusCode).toBe(200)
    expect((await phone.post('/ui/reset-password', { token: tokenIn(message), password: NEW_PASSWORD })).statusCode).toBe(200)

    // The code of the same message died with the new password.
    const { action: _resend, ...fields } = hiddenFields(page.body)
    const late = await browser.post('/ui/recovery/code', { ...fields, code: codeIn(message) })
    expect(late.statusCode).toBe(400)
    // Opening the flow's page again says the password was changed, and ends the flow.
    const refreshed = await browser.get(pageUrl)
    expect(refreshed.statusCode).toBe(200)
    expect(refreshed.body).toContain(en['resetDone.heading'])
    expect((await browser.get(pageUrl)).statusCode).toBe(400)
    expect((await signIn(server.app, 'ann@example.com', NEW_PASSWORD)).response.statusCode).toBe(200)
  })

  it('keeps a recovery flow to the browser that started it', async () => {
    const { server, browser, pageUrl, page, message } = await hostedRecovery()
    // Another browser (no binding cookie) can neither see nor use the flow, even with its code.
    const other = new Browser(server.app)
    expect((await other.get(pageUrl)).statusCode).toBe(400)
    const { action: _resend, ...fields } = hiddenFields(page.body)
    expect((await other.post('/ui/recovery/code', { ...fields, code: codeIn(message) })).statusCode).toBe(400)
    // The browser that started it can.
    expect((await browser.post('/ui/recovery/code', { ...fields, code: codeIn(message) })).statusCode).toBe(303)
  })
})
