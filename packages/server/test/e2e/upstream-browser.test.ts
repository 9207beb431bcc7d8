import { createHash, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { BrowserContext, Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { startUpstreamProvider, type UpstreamProvider } from '../upstream-provider.js'
import { openChromium } from './chromium.js'
import { useCleanup } from './cleanup.js'
import { freePort } from './free-port.js'
import { type Env, type RunningTessera, runCli, startTessera, stopTessera } from './tessera-process.js'

// Issue 15 in a real browser: Debian's Chromium, a Tessera process on 127.0.0.1, and a real
// OpenID Provider (node-oidc-provider) on localhost as the upstream. "Continue with Upstream",
// sign in there, come back signed in; link to an existing account with its password; refusal
// of an unverified address that belongs to an existing account.

const PASSWORD = 'correct horse battery staple'

const cleanup = useCleanup()

/** A relying party's callback: it only shows the code it was given. */
async function startClientApp(): Promise<string> {
  const port = await freePort()
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://localhost:${port}`)
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    response.end(`<!doctype html><title>App</title><p id="code">${url.searchParams.get('code') ?? 'none'}</p>`)
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://localhost:${port}`
}

interface World {
  env: Env
  tessera: RunningTessera
  upstream: UpstreamProvider
  clientId: string
  appUrl: string
  context: BrowserContext
}

async function world(): Promise<World> {
  const port = await freePort()
  const env: Env = {
    TESSERA_DATA_DIR: cleanup.tempDir('tessera-upstream-browser-'),
    TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
    TESSERA_LOG_LEVEL: 'warn',
    TESSERA_HOST: '127.0.0.1',
    TESSERA_ISSUER: `http://127.0.0.1:${port}`,
  }
  const upstream = await startUpstreamProvider({ host: 'localhost' })
  cleanup.push(() => upstream.close())
  const appUrl = await startClientApp()
  const app = await runCli(env, [
    'apps',
    'create',
    '--name',
    'Example app',
    '--type',
    'web',
    '--grants',
    'authorization_code',
    '--redirect-uris',
    `${appUrl}/callback`,
    '--first-party',
  ])
  const connection = await runCli(
    env,
    [
      'connections',
      'create',
      '--type',
      'oidc',
      '--name',
      'Upstream',
      '--issuer',
      upstream.issuer,
      '--client-id',
      upstream.clientId,
      '--client-secret-stdin',
      '--allow-insecure-development',
    ],
    `${upstream.clientSecret}\n`,
  )
  expect(connection.redirectUri).toBe(`http://127.0.0.1:${port}/oauth/callback/${connection.id}`)
  await upstream.allowRedirectUri(String(connection.redirectUri))
  const tessera = await startTessera(env, { host: '127.0.0.1', port })
  cleanup.push(() => stopTessera(tessera))
  const context = await openChromium(cleanup)
  return { env, tessera, upstream, clientId: String(app.clientId), appUrl, context }
}

/** Opens the app's sign-in (an authorization request) and clicks "Continue with Upstream", then signs in there as `account`. */
async function continueWithUpstream(w: World, page: Page, account: string): Promise<void> {
  const verifier = randomBytes(32).toString('base64url')
  const query = new URLSearchParams({
    client_id: w.clientId,
    redirect_uri: `${w.appUrl}/callback`,
    response_type: 'code',
    scope: 'openid email',
    state: 'app-state',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })
  await page.goto(`${w.tessera.base}/oauth/authorize?${query}`)
  await page.getByRole('link', { name: 'Continue with Upstream' }).click()
  await page.waitForURL((url) => url.origin === w.upstream.issuer)
  await page.locator('input[name="login"]').fill(account)
  await page.locator('input[name="password"]').fill('anything')
  await page.locator('button[type="submit"]').click()
}

const onApp = (w: World) => (url: URL) => url.href.startsWith(`${w.appUrl}/callback`)

describe('signing in through an upstream provider in Chromium (issue 15)', () => {
  it('continues with the upstream and comes back signed in, with a new account', async () => {
    const w = await world()
    w.upstream.accounts.set('alice', { email: 'alice@example.com', email_verified: true })
    const page = await w.context.newPage()
    page.setDefaultTimeout(8_000)
    await continueWithUpstream(w, page, 'alice')
    await page.waitForURL(onApp(w))
    expect(await page.locator('#code').textContent()).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const session = (await w.context.cookies(w.tessera.base)).find((cookie) => cookie.name === 'tessera_session')
    if (!session) throw new Error('no Tessera session cookie in the browser')
    const me = await fetch(`${w.tessera.base}/v1/session`, { headers: { cookie: `${session.name}=${session.value}` } })
    expect(await me.json()).toMatchObject({ user: { email: 'alice@example.com', emailVerified: true } })
  })

  it('links to an existing account only once its password is given, and refuses an unverified address', async () => {
    const w = await world()
    await runCli(w.env, ['users', 'create', '--email', 'ann@example.com', '--password-stdin'], `${PASSWORD}\n`)
    w.upstream.accounts.set('ann-upstream', { email: 'ann@example.com', email_verified: true })
    w.upstream.accounts.set('mallory', { email: 'ann@example.com', email_verified: false })

    // Without proof: an unverified upstream address is no claim on Ann's account.
    const refused = await w.context.newPage()
    refused.setDefaultTimeout(8_000)
    await continueWithUpstream(w, refused, 'mallory')
    await refused.waitForURL((url) => url.pathname.startsWith('/oauth/callback/'))
    expect(await refused.getByRole('alert').textContent()).toContain('already exists')
    await refused.close()
    // A new visit: the upstream would otherwise sign Mallory straight back in.
    await w.context.clearCookies()

    // With proof: the sign-in page asks for Ann's password, and only then links and signs in.
    const page = await w.context.newPage()
    page.setDefaultTimeout(8_000)
    await continueWithUpstream(w, page, 'ann-upstream')
    await page.waitForURL((url) => url.pathname === '/ui/sign-in')
    expect(await page.getByRole('status').textContent()).toContain('Sign in to it to link your Upstream account')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL(onApp(w))
    expect(await page.locator('#code').textContent()).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const users = (await runCli(w.env, ['users', 'list'])) as { users: { email: string }[] }
    expect(users.users.map((user) => user.email)).toEqual(['ann@example.com'])
  })
})
