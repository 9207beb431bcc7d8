import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { en } from '../../src/i18n/catalogues/en.js'
import { openChromium } from './chromium.js'
import { useCleanup } from './cleanup.js'
import { type Env, runCli, startTessera, stopTessera } from './tessera-process.js'

// Issue 13 in a real browser: Debian's Chromium through playwright-core, with Chrome DevTools
// Protocol's virtual authenticator standing in for a platform authenticator (a passkey with user
// verification). Tessera runs on localhost, a secure context and a valid WebAuthn RP id.

const EMAIL = 'ann@example.com'
const PASSWORD = 'correct horse battery staple'

const cleanup = useCleanup()

/** The session this page's cookie holds, as the JSON API reports it (same-origin fetch). */
async function session(page: Page): Promise<{ status: number; amr?: string[]; id?: string }> {
  return page.evaluate(async () => {
    const response = await fetch('/v1/session', { credentials: 'same-origin' })
    if (!response.ok) return { status: response.status }
    const body = (await response.json()) as { session: { id: string; amr: string[] } }
    return { status: response.status, amr: body.session.amr, id: body.session.id }
  })
}

/** Signs the browser out of Tessera: its own session revoked through the JSON API. */
async function signOut(page: Page): Promise<void> {
  const { id } = await session(page)
  const status = await page.evaluate(async (sessionId) => {
    const response = await fetch(`/v1/sessions/${sessionId}`, { method: 'DELETE', credentials: 'same-origin' })
    return response.status
  }, id as string)
  expect(status).toBe(204)
  expect((await session(page)).status).toBe(401)
}

describe('passkeys in Chromium with a virtual authenticator', () => {
  it('registers a passkey on the security page, signs in with it alone, uses it as a second factor, and removes it', async () => {
    const env: Env = {
      TESSERA_DATA_DIR: cleanup.tempDir('tessera-passkeys-'),
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
      TESSERA_LOG_LEVEL: 'warn',
    }
    await runCli(env, ['users', 'create', '--email', EMAIL, '--password-stdin'], PASSWORD)
    const tessera = await startTessera(env)
    cleanup.push(() => stopTessera(tessera))
    const context = await openChromium(cleanup)
    const page = context.pages()[0] ?? (await context.newPage())
    const scriptErrors: string[] = []
    page.on('pageerror', (error) => scriptErrors.push(error.message))
    page.on('console', (message) => {
      if (message.type() === 'error') scriptErrors.push(message.text())
    })

    // A platform authenticator that holds discoverable credentials and verifies its user.
    const cdp = await context.newCDPSession(page)
    await cdp.send('WebAuthn.enable')
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    })

    // 1. Sign in with the password (the security page sends the browser to the hosted sign-in).
    await page.goto(`${tessera.base}/ui/account/security`)
    expect(new URL(page.url()).pathname).toBe('/ui/sign-in')
    await page.fill('#email', EMAIL)
    await page.fill('#password', PASSWORD)
    await Promise.all([page.waitForURL('**/ui/account/security'), page.click('button[type=submit]')])

    // 2. Add a passkey: the first factor comes with ten recovery codes, shown once.
    await page.fill('#passkey-name', 'Laptop')
    await page.click('[data-passkey-register]')
    await page.locator('[data-recovery-codes-box]').waitFor({ state: 'visible' })
    expect(await page.locator('[data-recovery-codes] li').count()).toBe(10)
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
    expect(credentials).toHaveLength(1)
    expect(credentials[0]?.isResidentCredential).toBe(true)
    await page.goto(`${tessera.base}/ui/account/security`)
    expect(await page.locator('ul.factors li').first().textContent()).toContain('Laptop')

    // 3. Sign out, then sign in with the passkey alone: the sign-in page asks for it through the
    // browser's autofill (conditional mediation), which the authenticator answers at once.
    await signOut(page)
    await page.goto(`${tessera.base}/ui/account/security`)
    await page.waitForURL('**/ui/account/security')
    expect((await session(page)).amr).toEqual(['hwk', 'user'])

    // 3b. Sign out, then press "Sign in with a passkey": the authenticator stays silent while the
    // autofill's request waits, then answers the button's own ceremony (its own options request).
    const presence = (enabled: boolean) => cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled })
    await signOut(page)
    await presence(false)
    const optionRequests: string[] = []
    page.on('request', (request) => {
      if (request.url().endsWith('/ui/passkey/options')) optionRequests.push(request.url())
    })
    await page.goto(`${tessera.base}/ui/account/security`)
    const button = page.getByRole('button', { name: en['signIn.passkey'], exact: true })
    await button.waitFor({ state: 'visible' })
    // The autofill asked for its options first, and waits on the silent authenticator.
    await expect.poll(() => optionRequests.length).toBe(1)
    await presence(true)
    await Promise.all([page.waitForURL('**/ui/account/security'), button.click()])
    expect((await session(page)).amr).toEqual(['hwk', 'user'])
    // The autofill's request and the button's: the button ran a ceremony of its own.
    expect(optionRequests.length).toBe(2)

    // 4. Sign out; the password now asks for the second factor, answered with the passkey's button.
    // The authenticator stays silent while the password is typed, so the autofill waits.
    await signOut(page)
    await presence(false)
    await page.goto(`${tessera.base}/ui/account/security`)
    await page.fill('#email', EMAIL)
    await page.fill('#password', PASSWORD)
    await Promise.all([page.waitForURL('**/ui/second-factor?**'), page.click('button[type=submit]')])
    await presence(true)
    await page.locator('[data-passkey-start]').waitFor({ state: 'visible' })
    await Promise.all([page.waitForURL('**/ui/account/security'), page.click('[data-passkey-start]')])
    expect((await session(page)).amr).toEqual(['pwd', 'hwk', 'user', 'mfa'])

    // 5. Remove it (the sign-in is recent): the page lists no passkey, and the password alone signs in again.
    await Promise.all([page.waitForURL('**/ui/account/security'), page.click('ul.factors button[aria-label^="Remove"]')])
    expect(await page.content()).toContain('No passkeys yet')
    await signOut(page)
    await presence(false)
    await page.goto(`${tessera.base}/ui/account/security`)
    await page.fill('#email', EMAIL)
    await page.fill('#password', PASSWORD)
    await Promise.all([page.waitForURL('**/ui/account/security'), page.click('button[type=submit]')])
    expect((await session(page)).amr).toEqual(['pwd'])

    // Nothing broke the CSP or threw in the pages' scripts.
    expect(scriptErrors.filter((message) => !message.includes('401'))).toEqual([])
  }, 90_000)
})
