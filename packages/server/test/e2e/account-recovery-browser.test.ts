import { randomBytes } from 'node:crypto'
import type { ParsedMail } from 'mailparser'
import { describe, expect, it } from 'vitest'
import { createTessera } from '../../src/app/tessera.js'
import { loadConfig } from '../../src/config/load-config.js'
import { codeIn } from '../mail-fixture.js'
import { sharedSourcePasswordEstimator } from '../password-estimator.js'
import { startSmtpServer } from '../smtp-fixture.js'
import { createTestDatabase } from '../test-database.js'
import { openChromium } from './chromium.js'
import { useCleanup } from './cleanup.js'
import { freePort } from './free-port.js'

// Issue 12 in a real browser (Debian's Chromium through playwright-core): sign up on the hosted
// pages, confirm the address from the link of the message a real loopback SMTP server received,
// then "Forgot your password?" from the sign-in page, the reset link, and a sign-in with the new
// password. Tessera runs in this process on a real port; its email loop is ticked by the test.

const PASSWORD = 'correct horse battery staple'
const NEW_PASSWORD = 'a brand new passphrase for ann'

const cleanup = useCleanup()

function linkOf(message: ParsedMail | undefined, issuer: string): string {
  const match = new RegExp(`${issuer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/ui/[a-z-]+\\?token=[A-Za-z0-9_.-]+`).exec(message?.text ?? '')
  if (!match) throw new Error(`no link in: ${message?.text}`)
  return match[0]
}

describe('account recovery in Chromium (issue 12)', () => {
  it('signs up, confirms the address from the email, resets a forgotten password and signs in with the new one', async () => {
    const smtp = await startSmtpServer()
    cleanup.push(() => smtp.close())
    const database = createTestDatabase('sqlite')
    cleanup.push(() => database.drop())
    const dataDir = cleanup.tempDir('tessera-recovery-')
    const port = await freePort()
    const issuer = `http://localhost:${port}`
    const tessera = await createTessera(
      loadConfig({
        env: {},
        overrides: {
          port,
          issuer,
          dataDir,
          databaseUrl: database.url,
          masterKey: randomBytes(32).toString('base64url'),
          logLevel: 'silent',
          email: { smtpUrl: `smtp://127.0.0.1:${smtp.port}` },
        },
      }),
      // The estimator's worker runs from source, as test/test-server.ts gives it (the test signs up).
      { passwordEstimator: sharedSourcePasswordEstimator() },
    )
    cleanup.push(() => tessera.close())
    const app = await tessera.app()
    await app.listen({ port, host: '127.0.0.1' })
    const deliver = async () => {
      const before = smtp.messages.length
      await tessera.email.dispatcher?.tick()
      return smtp.messages.slice(before)
    }
    // A first-party web client whose redirect URI is a page of Tessera itself: the test reads the code from the URL.
    const callback = `${issuer}/ui/signed-out`
    const { application } = await tessera.services.applications.create(
      { name: 'Example app', type: 'spa', firstParty: true, redirectUris: [callback] },
      { kind: 'cli' },
    )
    const authorize = () =>
      `${issuer}/oauth/authorize?${new URLSearchParams({
        client_id: application.id,
        redirect_uri: callback,
        response_type: 'code',
        scope: 'openid email',
        state: 'state-1',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`

    const context = await openChromium(cleanup)
    const page = await context.newPage()

    // Sign up on the hosted pages; the flow ends back at the client with a code.
    await page.goto(authorize())
    await page.getByRole('link', { name: 'Create an account' }).click()
    await page.getByLabel('Email').fill('ann@example.com')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL((url) => url.pathname === '/ui/signed-out' && url.searchParams.has('code'))

    // The verification link from the message the SMTP server received.
    const [verify] = await deliver()
    expect(verify?.to && !Array.isArray(verify.to) ? verify.to.text : '').toBe('ann@example.com')
    await page.goto(linkOf(verify, issuer))
    await page.getByRole('button', { name: 'Confirm my address' }).click()
    await expect(page.getByRole('heading', { name: 'Address confirmed' }).isVisible()).resolves.toBe(true)
    expect((await tessera.services.users.get('ann@example.com')).emailVerified).toBe(true)

    // Forgotten password, from a browser with no session.
    await context.clearCookies()
    await page.goto(authorize())
    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    await page.getByLabel('Email').fill('ann@example.com')
    await page.getByRole('button', { name: 'Send the link' }).click()
    await expect(page.getByRole('heading', { name: 'Check your email' }).isVisible()).resolves.toBe(true)
    const [reset] = await deliver()
    expect(reset?.subject).toBe('Reset your Tessera password')
    // The recovery flow (issue 12): the message's code on the page that asked for it, then the
    // new password. The message's link does the same from any browser (HTTP tests).
    await page.getByLabel('Code from the message').fill(codeIn(reset))
    await page.getByRole('button', { name: 'Continue' }).click()
    await page.getByLabel('New password').fill(NEW_PASSWORD)
    await page.getByRole('button', { name: 'Set the new password' }).click()
    await expect(page.getByRole('heading', { name: 'Your password was changed' }).isVisible()).resolves.toBe(true)

    // The old password is refused, the new one signs in and the client gets its code.
    await page.goto(authorize())
    await page.getByLabel('Email').fill('ann@example.com')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.locator('form[action="/ui/sign-in"] button[type="submit"]').click()
    await expect(page.getByRole('alert').textContent()).resolves.toContain('The email address or password is wrong.')
    await page.getByLabel('Password').fill(NEW_PASSWORD)
    await page.locator('form[action="/ui/sign-in"] button[type="submit"]').click()
    await page.waitForURL((url) => url.pathname === '/ui/signed-out' && url.searchParams.has('code'))
    const [changed] = await deliver()
    expect(changed?.subject).toBe('Your Tessera password was changed')
  }, 60_000)
})
