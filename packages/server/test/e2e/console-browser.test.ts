import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Locator, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { startWebhookReceiver } from '../webhook-receiver.js'
import { openChromium } from './chromium.js'
import { useCleanup } from './cleanup.js'
import { type Env, runCli, startTessera, stopTessera } from './tessera-process.js'

// Issue 14 end to end: Debian's Chromium, driven by playwright-core, signs in to the admin console
// (packages/console, built by `npm run build`) served by a real `tessera start`, through Tessera's
// own hosted sign-in page, as an admin and as a read-only operator.

const BUILT_CONSOLE = fileURLToPath(new URL('../../../console/dist/index.html', import.meta.url))
const PASSWORD = 'correct horse battery staple'
/** axe-core, the accessibility engine, evaluated in the page through the DevTools protocol (CSP does not apply to it). */
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

interface AxeResults {
  violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[]
  passes: unknown[]
}

/** The serious and critical accessibility violations axe finds on the page as it is now (WCAG 2.x A and AA rules). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE)
  const results = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as AxeResults
  // The engine ran its rules (a page with no passing rule would mean nothing was checked).
  expect(results.passes.length).toBeGreaterThan(0)
  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`)
}

const cleanup = useCleanup()

/** Signs in on Tessera's hosted page and waits for the console to say who is signed in. */
async function signIn(page: Page, base: string, email: string): Promise<void> {
  await page.goto(`${base}/console/users`)
  await page.waitForURL((url) => url.pathname === '/ui/sign-in')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  // Back through /console/callback to the page the sign-in started from.
  await page.waitForURL(`${base}/console/users`)
  await expect.poll(() => page.getByTestId('who').textContent()).toBe(email)
}

describe('the admin console in Chromium', () => {
  it('signs an admin in: disables a user, revokes a session, creates an application and an API, sends a webhook test event; audited as that admin; a read-only operator sees no write action', async () => {
    // `npm test` builds first (the pretest script); a missing build is a failure, not a skip.
    if (!existsSync(BUILT_CONSOLE)) throw new Error('the console is not built: run npm run build')
    const env: Env = {
      TESSERA_DATA_DIR: cleanup.tempDir('tessera-console-'),
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
      TESSERA_LOG_LEVEL: 'warn',
    }
    const tessera = await startTessera(env, { host: '127.0.0.1' })
    cleanup.push(() => stopTessera(tessera))
    // Three people sign up (over HTTP, at once); the operator's CLI makes two of them admins.
    const users: Record<string, string> = {}
    await Promise.all(
      ['root@example.com', 'reader@example.com', 'ann@example.com'].map(async (email) => {
        const response = await fetch(`${tessera.base}/v1/sign-up`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: PASSWORD, transport: 'bearer' }),
        })
        expect(response.status).toBe(201)
        users[email] = ((await response.json()) as { user: { id: string } }).user.id
      }),
    )
    await Promise.all([
      runCli(env, ['admin', 'grant', '--user', 'root@example.com']),
      runCli(env, ['admin', 'grant', '--user', 'reader@example.com', '--read-only']),
    ])
    // Issue 15: Ann has a GitHub identity linked (written as a sign-in through the connection would write it).
    const github = (
      await runCli(env, ['connections', 'create', '--preset', 'github', '--client-id', 'gh', '--client-secret-stdin'], 'gh-secret')
    ).id as string
    const database = new (createRequire(import.meta.url)('better-sqlite3'))(join(env.TESSERA_DATA_DIR as string, 'tessera.db'))
    database
      .prepare('insert into identities (id, connection_id, subject, user_id, email, created_at, last_used_at) values (?, ?, ?, ?, ?, ?, ?)')
      .run('idn_annOnGitHub00000000', github, '1001', users['ann@example.com'], 'ann@example.com', Date.now(), null)
    database.close()

    // The page's headers: the strict CSP, extended from the hosted pages' only by script-src and connect-src 'self'.
    const shell = await fetch(`${tessera.base}/console/`)
    expect(shell.status).toBe(200)
    const csp = shell.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("connect-src 'self'")
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/)

    const context = await openChromium(cleanup)
    const page = await context.newPage()
    page.setDefaultTimeout(8_000)
    const violations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text())
    })
    // The test reads the token responses on the wire, to prove the browser stores none of them.
    const accessTokens: string[] = []
    page.on('response', async (response) => {
      if (new URL(response.url()).pathname !== '/oauth/token' || response.status() !== 200) return
      const body = (await response.json().catch(() => null)) as { access_token?: string } | null
      if (body?.access_token) accessTokens.push(body.access_token)
    })

    // The admin: sign in, find ann, disable her.
    await signIn(page, tessera.base, 'root@example.com')
    await expect.poll(() => page.getByRole('link', { name: 'ann@example.com' }).count()).toBe(1)
    await page.getByLabel('Email or user id').fill('ann@')
    await page.getByRole('button', { name: 'Search' }).click()
    await expect.poll(() => page.getByRole('row').count()).toBe(2)
    await page.getByRole('link', { name: 'ann@example.com' }).click()
    await page.waitForURL(`${tessera.base}/console/users/${users['ann@example.com']}`)
    // Her linked identity is listed, and unlinked (she keeps her password).
    await expect.poll(() => page.getByTestId('identity-connection').allTextContents()).toEqual(['GitHub'])
    await page.getByRole('button', { name: 'Unlink' }).click()
    await page.getByRole('button', { name: 'Confirm unlink' }).click()
    await page.getByText('No linked identity').waitFor()
    await page.getByRole('button', { name: 'Disable' }).click()
    await page.getByRole('button', { name: 'Confirm disable' }).click()
    await expect.poll(() => page.getByTestId('user-status').textContent()).toBe('disabled')

    // The audit log names the admin, not the console's client.
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click()
    await page.getByLabel('Action').fill('user.disabled')
    await page.getByRole('button', { name: 'Filter' }).click()
    await expect.poll(() => page.getByTestId('audit-actor').allTextContents()).toEqual([`user ${users['root@example.com']}`])

    // Revoke the reader's session (the one sign-up made) and see the revocation in the audit log.
    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click()
    await page.getByRole('link', { name: 'reader@example.com' }).click()
    await page.getByRole('button', { name: 'Revoke', exact: true }).click()
    await page.getByRole('button', { name: 'Confirm revoke' }).click()
    await page.getByText('No active sessions.').waitFor()
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click()
    await page.getByLabel('Action').fill('session.revoked')
    await page.getByLabel('User id').fill(users['reader@example.com'] as string)
    await page.getByRole('button', { name: 'Filter' }).click()
    await expect.poll(() => page.getByTestId('audit-actor').allTextContents()).toEqual([`user ${users['root@example.com']}`])

    // Create an application and read its secret, shown once.
    await page.getByRole('navigation').getByRole('link', { name: 'Applications' }).click()
    await page.getByRole('button', { name: 'New application' }).click()
    await page.getByLabel('Machine to machine').check()
    await page.getByLabel('Name').fill('Nightly export')
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    const secret = (await page.getByTestId('secret').textContent()) ?? ''
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    await page.getByRole('link', { name: 'Nightly export' }).first().click()
    await page.getByRole('heading', { name: 'Nightly export' }).waitFor()
    expect(await page.content()).not.toContain(secret)
    // Its advanced settings: a shorter access-token lifetime, and a role for the machine-to-machine app.
    await page.getByRole('button', { name: 'Edit advanced settings' }).click()
    await page.getByLabel(/^Access-token lifetime/).fill('120')
    await page.getByRole('button', { name: 'Save advanced settings' }).click()
    await page.getByText('120 s').waitFor()
    await page.getByLabel('Give role').selectOption({ label: 'tessera-admin-read' })
    await page.getByRole('button', { name: 'Give', exact: true }).click()
    await page.getByRole('list').getByText('tessera-admin-read').waitFor()
    expect(await seriousViolations(page), 'an m2m application').toEqual([])

    // Register an API in jwt mode with two permissions and the roles claim; then grant one to a role in the matrix.
    await page.getByRole('navigation').getByRole('link', { name: 'APIs' }).click()
    await page.getByRole('button', { name: 'New API' }).click()
    await page.getByLabel('Identifier (audience)').fill('https://orders.example.com')
    await page.getByLabel('Name', { exact: true }).fill('Orders')
    await page.getByRole('radio', { name: /^jwt:/ }).check()
    await page.getByLabel('Permissions (one per line)').fill('orders:read\norders:write')
    await page.getByRole('checkbox', { name: /Roles claim/ }).check()
    await page.getByRole('button', { name: 'Create API' }).click()
    const orders = page.getByTestId('api-card').filter({ hasText: 'https://orders.example.com' })
    await expect.poll(() => orders.getByTestId('api-mode').textContent()).toMatch(/^jwt: /)
    expect(await orders.textContent()).toContain('orders:write')
    await page.getByRole('navigation').getByRole('link', { name: 'Roles' }).click()
    const grant = page.getByRole('checkbox', { name: 'tessera-admin-read: orders:read on Orders' })
    await grant.click() // a controlled box: it shows the grant once the API has it
    await expect.poll(() => grant.isChecked()).toBe(true)

    // Register a webhook endpoint (a receiver of the test's own, with the development allowance), send
    // it a test event, and watch the real dispatcher deliver it: status and response code in the log.
    const receiver = await startWebhookReceiver()
    cleanup.push(() => receiver.close())
    await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click()
    await page.getByRole('button', { name: 'New endpoint' }).click()
    await page.getByLabel('URL').fill(`${receiver.origin}/hook`)
    await page.getByRole('checkbox', { name: 'user.disabled' }).check()
    await page.getByRole('checkbox', { name: /^Development/ }).check()
    await page.getByRole('button', { name: 'Create endpoint' }).click()
    expect(await page.getByTestId('secret').textContent()).toMatch(/^whsec_/)
    await page.getByRole('button', { name: 'Deliveries' }).click()
    await page.getByText('No deliveries yet.').waitFor()
    await page.getByRole('button', { name: 'Send test event' }).click()
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click()
          return page.getByTestId('delivery-status').first().textContent()
        },
        { timeout: 10_000 },
      )
      .toBe('succeeded')
    expect(receiver.received.map((request) => JSON.parse(request.body).type)).toEqual(['webhook.test'])
    expect(await page.getByRole('row', { name: /webhook\.test/ }).textContent()).toContain('204')
    expect(await seriousViolations(page), 'webhook deliveries').toEqual([])

    // Every page, checked with axe-core once its content has loaded: no serious or critical violation.
    const nav = page.getByRole('navigation')
    const pages: { name: string; click: Locator; ready: Locator }[] = [
      { name: 'overview', click: nav.getByRole('link', { name: 'Overview' }), ready: page.getByText('active signing key') },
      { name: 'users', click: nav.getByRole('link', { name: 'Users' }), ready: page.getByRole('link', { name: 'ann@example.com' }) },
      { name: 'user', click: page.getByRole('link', { name: 'ann@example.com' }), ready: page.getByText('No active sessions.') },
      {
        name: 'applications',
        click: nav.getByRole('link', { name: 'Applications' }),
        ready: page.getByRole('link', { name: 'Tessera admin console' }),
      },
      {
        name: 'application',
        click: page.getByRole('link', { name: 'Tessera admin console' }),
        ready: page.getByRole('heading', { name: 'Redirect URIs' }),
      },
      { name: 'apis', click: nav.getByRole('link', { name: 'APIs' }), ready: page.getByText('urn:tessera:admin') },
      {
        name: 'roles',
        click: nav.getByRole('link', { name: 'Roles' }),
        ready: page.getByRole('link', { name: 'tessera-admin', exact: true }),
      },
      {
        name: 'role',
        click: page.getByRole('link', { name: 'tessera-admin', exact: true }),
        ready: page.getByRole('checkbox', { name: 'admin:write' }),
      },
      { name: 'keys', click: nav.getByRole('link', { name: 'Signing keys' }), ready: page.getByRole('cell', { name: 'active' }) },
      { name: 'webhooks', click: nav.getByRole('link', { name: 'Webhooks' }), ready: page.getByRole('button', { name: 'Deliveries' }) },
      { name: 'email', click: nav.getByRole('link', { name: 'Email' }), ready: page.getByText('Messages go through') },
      { name: 'audit', click: nav.getByRole('link', { name: 'Audit log' }), ready: page.getByTestId('audit-action').first() },
      { name: 'settings', click: nav.getByRole('link', { name: 'Settings' }), ready: page.getByTestId('settings-version') },
      {
        name: 'connections',
        click: nav.getByRole('link', { name: 'Connections' }),
        // The GitHub connection made above, with the callback to register at GitHub.
        ready: page.getByText(`${tessera.base}/oauth/callback/${github}`),
      },
    ]
    for (const { name, click, ready } of pages) {
      await click.click()
      await ready.waitFor()
      expect(await seriousViolations(page), name).toEqual([])
      if (name === 'user') {
        // Email state and second factors (issues 12 and 13): ann signed up and proved nothing.
        expect(await page.getByTestId('email-state').textContent()).toBe('not verified')
        await page.getByText('No second factor').waitFor()
      }
      if (name === 'users') {
        await page.getByLabel('Sort by').selectOption('-email')
        await expect.poll(() => page.getByRole('row').nth(1).getByRole('link').textContent()).toBe('root@example.com')
      }
      if (name === 'settings') {
        // The master key never reaches the page; only that it is set.
        expect(await page.content()).not.toContain(env.TESSERA_MASTER_KEY as string)
        await page.getByRole('row', { name: /masterKey \*{8}/ }).waitFor()
      }
      if (name === 'overview') {
        // GET /admin/v1/stats: three people signed up; one password sign-in so far (the admin's).
        await expect.poll(() => page.getByTestId('count-users').textContent()).toBe('3')
        expect(Number(await page.getByTestId('count-sessions').textContent())).toBeGreaterThanOrEqual(1)
        expect(await page.getByTestId('chart-sign-ins-hourly').locator('figcaption').textContent()).toContain('Succeeded: 1')
        expect(await page.getByTestId('chart-sign-ins-daily').locator('figcaption').textContent()).toContain('Failed: 0')
        expect(await page.getByTestId('chart-sign-ins-hourly').locator('svg rect').count()).toBe(1)
        expect(await page.getByTestId('webhook-backlog').textContent()).toContain('0 pending')
      }
    }

    // The audit log's live tail: someone signs up meanwhile, and their entries appear without a reload.
    await nav.getByRole('link', { name: 'Audit log' }).click()
    await page.getByTestId('audit-action').first().waitFor()
    await page.getByRole('button', { name: 'Live tail' }).click()
    const signUp = await fetch(`${tessera.base}/v1/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'dave@example.com', password: PASSWORD, transport: 'bearer' }),
    })
    const dave = ((await signUp.json()) as { user: { id: string } }).user.id
    await page.getByRole('link', { name: dave }).first().waitFor({ timeout: 10_000 })
    expect(await page.getByTestId('tail-status').textContent()).toMatch(/arrived/)
    await page.getByRole('button', { name: 'Stop live tail' }).click()

    // Renewal: the access token is revoked (RFC 7009); the next call gets 401, the console renews
    // with its refresh token (rotated) and retries, and the page loads as if nothing happened.
    const revoked = await fetch(`${tessera.base}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessTokens.at(-1) as string, client_id: 'tessera-admin-console' }).toString(),
    })
    expect(revoked.status).toBe(200)
    const before = accessTokens.length
    await nav.getByRole('link', { name: 'Roles' }).click()
    await expect.poll(() => page.getByRole('link', { name: 'tessera-admin', exact: true }).count()).toBe(1)
    // The response listener reads bodies asynchronously: wait for it rather than race it.
    await expect.poll(() => accessTokens.length).toBe(before + 1)
    expect(await page.getByRole('alert').count()).toBe(0)

    // Tokens live in memory only: nothing in localStorage or sessionStorage, least of all a token.
    expect(accessTokens.length).toBeGreaterThan(0)
    const stored = await page.evaluate('JSON.stringify([{ ...localStorage }, { ...sessionStorage }])')
    expect(stored).toBe('[{},{}]')
    for (const token of accessTokens) expect(stored).not.toContain(token)

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${tessera.base}/console/signed-out`)
    await expect.poll(() => page.getByText('You are signed out.').count()).toBe(1)

    // The read-only operator: the same pages, no write action anywhere.
    const beforeReader = accessTokens.length
    await signIn(page, tessera.base, 'reader@example.com')
    expect(await page.getByTestId('read-only').count()).toBe(1)
    await page.goto(`${tessera.base}/console/users/${users['ann@example.com']}`)
    await page.waitForURL((url) => url.pathname === `/console/users/${users['ann@example.com']}`)
    await expect.poll(() => page.getByTestId('user-status').textContent()).toBe('disabled')
    for (const name of ['Enable', 'Disable', 'Revoke', 'Revoke all sessions', 'Give', 'Reset password']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0)
    }
    await page.getByRole('navigation').getByRole('link', { name: 'Applications' }).click()
    await expect.poll(() => page.getByRole('link', { name: 'Tessera admin console' }).count()).toBe(1)
    expect(await page.getByRole('button', { name: 'New application' }).count()).toBe(0)
    await page.getByRole('navigation').getByRole('link', { name: 'Users' }).click()
    await page.getByRole('link', { name: 'ann@example.com' }).waitFor()
    expect(await page.getByRole('button', { name: 'New user' }).count()).toBe(0)
    await page.getByRole('navigation').getByRole('link', { name: 'APIs' }).click()
    await page.getByText('https://orders.example.com').waitFor()
    for (const name of ['New API', 'Edit', 'Delete']) expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0)
    await page.getByRole('navigation').getByRole('link', { name: 'Roles' }).click()
    await page.getByRole('table').getByText('orders:read').waitFor()
    expect(await page.getByRole('checkbox').count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Create role' }).count()).toBe(0)
    await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click()
    await page.getByRole('button', { name: 'Deliveries' }).click()
    await page.getByTestId('delivery-status').first().waitFor()
    for (const name of ['New endpoint', 'Delete', 'Send test event', 'Resend']) {
      expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(0)
    }
    // ...and the API refuses the write anyway, with the reader's own token.
    await expect.poll(() => accessTokens.length).toBeGreaterThan(beforeReader)
    const readerToken = accessTokens.at(-1) as string
    const write = await fetch(`${tessera.base}/admin/v1/users/${users['ann@example.com']}/enable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readerToken}` },
    })
    expect(write.status).toBe(403)
    expect(((await write.json()) as { code: string }).code).toBe('insufficient_scope')

    expect(violations).toEqual([])
    // One browser walks about twenty pages (two sign-ins, eleven accessibility checks): about 15 s on
    // an idle machine, twice that when the whole suite shares the cores.
  }, 90_000)
})
