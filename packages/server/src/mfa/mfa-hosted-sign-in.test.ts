import { describe, expect, it } from 'vitest'
import { addAuthenticatorApp } from '../../test/mfa-fixture.js'
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
import { totpCodeAt } from './totp.js'

describe('the hosted sign-in with a second factor (issue 13)', () => {
  it('asks for the authenticator app’s code after the password, and only then issues the code', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    // Ann adds an authenticator app over the JSON API.
    const { secret } = await addAuthenticatorApp(server)
    server.clock.advance(30_000)

    const client = await createClient(server, { firstParty: true })
    const browser = new Browser(server.app)
    const signInAt = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    const signInPage = await browser.get(signInAt.pathname + signInAt.search)
    const afterPassword = location(
      await browser.post('/ui/sign-in', { ...hiddenFields(signInPage.body), email: 'ann@example.com', password: PASSWORD }),
    )
    expect(afterPassword.pathname).toBe('/ui/second-factor')
    const page = await browser.get(afterPassword.pathname + afterPassword.search)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('autocomplete="one-time-code"')
    const fields = hiddenFields(page.body)

    const wrong = await browser.post('/ui/second-factor', { ...fields, factor: 'totp', code: '000000' })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.body).toContain('role="alert"')

    const retry = hiddenFields(wrong.body)
    const back = location(
      await browser.post('/ui/second-factor', { ...retry, factor: 'totp', code: totpCodeAt(secret, server.clock.now()) }),
    )
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
    expect(back.searchParams.get('code')).toBeTruthy()
  })
})
