import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { openChromium } from './chromium.js'
import { useCleanup } from './cleanup.js'
import { freePort } from './free-port.js'
import { type Env, runCli, startTessera, stopTessera } from './tessera-process.js'

// Issue 16 part 1, in a real browser: the single-page-app sample of docs/connect-an-app.md, as
// written, runs in Debian's Chromium on a page of another loopback origin than Tessera's, with
// oauth4webapi: sign-in (code + PKCE), userinfo, refresh, revocation. A page on an origin the
// application does not list is refused, and spends nothing: its "simple" POSTs need no preflight,
// so only the server's refusal keeps the code and the refresh token alive.

const DOCS = new URL('../../../../docs/connect-an-app.md', import.meta.url)
const OAUTH4WEBAPI = createRequire(import.meta.url).resolve('oauth4webapi')
const EMAIL = 'spa-user@example.com'
const PASSWORD = 'correct horse battery staple'

/** The docs' sample module, as the test page exposes it on `window.spa`. */
interface SpaModule {
  signIn(): Promise<void>
  completeSignIn(): Promise<{ access_token: string; refresh_token?: string; id_token?: string; claims: Record<string, unknown> }>
  userInfo(accessToken: string, sub: string): Promise<Record<string, unknown>>
  refresh(refreshToken: string): Promise<{ access_token: string; refresh_token?: string }>
  revoke(token: string): Promise<void>
}

/** What the page scripts below use of the browser's globals (the server's tsconfig has no DOM types). */
interface PageGlobals {
  spa?: SpaModule
  location: { href: string }
  sessionStorage: { getItem(key: string): string | null }
}

/** The browser's globals inside a `page.evaluate` callback (cast inline: the callback runs in the page). */
type InPage = PageGlobals & { spa: SpaModule }

const cleanup = useCleanup()

/** The ```js block of the docs' single-page-app section, with its three placeholders filled. */
function docsSample(values: { issuer: string; clientId: string; redirectUri: string }): string {
  const docs = readFileSync(DOCS, 'utf8')
  const section = docs.slice(docs.indexOf('## 3. A single-page app'))
  const match = /```js\n([\s\S]*?)\n```/.exec(section)
  if (!match) throw new Error('no js sample in the single-page-app section of docs/connect-an-app.md')
  let code = match[1] as string
  for (const [placeholder, value] of [
    ["'https://id.example.com'", values.issuer],
    ["'YOUR_CLIENT_ID'", values.clientId],
    ["'https://spa.example.com/callback'", values.redirectUri],
  ] as const) {
    if (!code.includes(placeholder)) throw new Error(`the docs' sample no longer has ${placeholder}`)
    code = code.replace(placeholder, JSON.stringify(value))
  }
  return code
}

/** A tiny static site on `port`: every other path is an HTML page that loads `script`. */
async function serveSite(port: number, files: Record<string, string>, script: string): Promise<void> {
  const page = `<!doctype html><html><head><meta charset="utf-8"><title>App</title>
<script type="importmap">{"imports":{"oauth4webapi":"/oauth4webapi.js"}}</script>
<script type="module">${script}</script></head><body><h1>App</h1></body></html>`
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    const file = files[path]
    response.setHeader('cache-control', 'no-store')
    if (file !== undefined) response.writeHead(200, { 'content-type': 'text/javascript' }).end(file)
    else response.writeHead(200, { 'content-type': 'text/html' }).end(page)
  })
  await new Promise<void>((resolve) => server.listen(port, 'localhost', resolve))
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
}

/** A cross-origin form POST from `page`, as a script on it would send one: what the script can read. */
function postFrom(page: Page, url: string, form: Record<string, string>): Promise<string> {
  return page.evaluate(
    async ({ url, body }) => {
      try {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
        return `read ${response.status}`
      } catch (error) {
        return String(error)
      }
    },
    { url, body: new URLSearchParams(form).toString() },
  )
}

describe('the single-page-app sample in Chromium, from another origin', () => {
  it('signs in with PKCE, reads userinfo, refreshes and revokes; a page on an unlisted origin spends nothing', async () => {
    const env: Env = {
      TESSERA_DATA_DIR: cleanup.tempDir('tessera-spa-'),
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
      TESSERA_LOG_LEVEL: 'warn',
    }
    // Tessera on 127.0.0.1, the SPA and the other page on localhost: three origins.
    const [spaPort, otherPort] = [await freePort(), await freePort()]
    const spaUrl = `http://localhost:${spaPort}`
    const otherUrl = `http://localhost:${otherPort}`
    const app = await runCli(env, [
      'apps',
      'create',
      '--name',
      'SPA',
      '--type',
      'spa',
      '--redirect-uris',
      `${spaUrl}/callback`,
      '--first-party',
    ])
    expect(app.application).toMatchObject({ webOrigins: null, allowedWebOrigins: [spaUrl] })
    const clientId = String(app.clientId)
    await runCli(env, ['users', 'create', '--email', EMAIL, '--password-stdin'], PASSWORD)
    const tessera = await startTessera(env, { host: '127.0.0.1' })
    cleanup.push(() => stopTessera(tessera))

    const library = readFileSync(OAUTH4WEBAPI, 'utf8')
    const sample = docsSample({ issuer: tessera.base, clientId, redirectUri: `${spaUrl}/callback` })
    await serveSite(spaPort, { '/oauth4webapi.js': library, '/spa.js': sample }, "import * as spa from '/spa.js'; window.spa = spa")
    await serveSite(otherPort, {}, '')
    const context = await openChromium(cleanup)
    const page = await context.newPage()
    page.setDefaultTimeout(8_000)
    const other = await context.newPage()
    other.setDefaultTimeout(8_000)
    await other.goto(otherUrl)

    // Sign in: the sample's discovery is itself a cross-origin fetch.
    await page.goto(spaUrl)
    await page.waitForFunction(() => (globalThis as unknown as InPage).spa !== undefined)
    await page.evaluate(() => {
      void (globalThis as unknown as InPage).spa.signIn()
    })
    await page.waitForURL((url) => url.origin === tessera.base && url.pathname === '/ui/sign-in')
    await page.getByLabel('Email').fill(EMAIL)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page.waitForURL((url) => url.origin === spaUrl && url.pathname === '/callback')
    await page.waitForFunction(() => (globalThis as unknown as InPage).spa !== undefined)

    // Before the app redeems its code, a page on an unlisted origin tries, with the verifier too.
    const pending = await page.evaluate(() => ({
      code: new URL((globalThis as unknown as InPage).location.href).searchParams.get('code') ?? '',
      verifier: (JSON.parse((globalThis as unknown as InPage).sessionStorage.getItem('oidc') ?? '{}') as { codeVerifier: string })
        .codeVerifier,
    }))
    const stolen = {
      grant_type: 'authorization_code',
      code: pending.code,
      redirect_uri: `${spaUrl}/callback`,
      code_verifier: pending.verifier,
      client_id: clientId,
    }
    expect(await postFrom(other, `${tessera.base}/oauth/token`, stolen)).toBe('TypeError: Failed to fetch')

    // The code was not spent: the app redeems it, and may read the answer.
    const [tokenResponse, signedIn] = await Promise.all([
      page.waitForResponse((response) => response.url() === `${tessera.base}/oauth/token`),
      page.evaluate(() => (globalThis as unknown as InPage).spa.completeSignIn()),
    ])
    expect(await tokenResponse.headerValue('access-control-allow-origin')).toBe(spaUrl)
    expect(await tokenResponse.headerValue('vary')).toBe('Origin')
    expect(signedIn.claims).toMatchObject({ iss: tessera.base, aud: clientId, email: EMAIL })
    expect(page.url()).toBe(`${spaUrl}/`)
    const refreshToken = signedIn.refresh_token as string
    expect(refreshToken).toBeTruthy()

    // userinfo needs a preflight (Authorization header); the app's origin passes it.
    const sub = signedIn.claims.sub as string
    const profile = await page.evaluate(
      ([token, subject]) => (globalThis as unknown as InPage).spa.userInfo(token as string, subject as string),
      [signedIn.access_token, sub],
    )
    expect(profile).toMatchObject({ sub, email: EMAIL })
    // The other page cannot even get past the preflight.
    const fromOther = await other.evaluate(
      async ({ url, token }) => fetch(url, { headers: { authorization: `Bearer ${token}` } }).then(() => 'read', String),
      { url: `${tessera.base}/oauth/userinfo`, token: signedIn.access_token },
    )
    expect(fromOther).toBe('TypeError: Failed to fetch')

    // A revocation from the other page revokes nothing: the app still refreshes.
    expect(await postFrom(other, `${tessera.base}/oauth/revoke`, { token: refreshToken, client_id: clientId })).toBe(
      'TypeError: Failed to fetch',
    )
    const refreshed = await page.evaluate((token) => (globalThis as unknown as InPage).spa.refresh(token), refreshToken)
    expect(refreshed.access_token).toBeTruthy()
    const successor = refreshed.refresh_token as string
    expect(successor).not.toBe(refreshToken)

    // The app revokes its refresh token; refreshing with it then fails, and the app can read why.
    await page.evaluate((token) => (globalThis as unknown as InPage).spa.revoke(token), successor)
    const afterRevocation = await page.evaluate(
      (token) =>
        (globalThis as unknown as InPage).spa.refresh(token).then(
          () => 'refreshed',
          (error: { error?: string }) => error.error ?? String(error),
        ),
      successor,
    )
    expect(afterRevocation).toBe('invalid_grant')
  }, 90_000)
})
