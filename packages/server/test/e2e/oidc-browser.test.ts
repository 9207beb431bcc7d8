import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { openChromium } from './chromium.js'
import { useCleanup } from './cleanup.js'
import { freePort } from './free-port.js'
import { childEnv, type Env, runCli, startTessera, stopTessera } from './tessera-process.js'

// Issue 4, in a real browser: Debian's Chromium, driven by playwright-core (which never downloads a
// browser; `.ci/run` installs the chromium package), signs a user up and out of the example app in
// examples/oidc-web, which talks to a real Tessera process through openid-client.

const EXAMPLE = fileURLToPath(new URL('../../../../examples/oidc-web/server.mjs', import.meta.url))
const EMAIL = 'ann@example.com'
const PASSWORD = 'correct horse battery staple'
const APP_READY_DEADLINE_MS = 15_000

const cleanup = useCleanup()

/** The example app as its README runs it; resolves once it says it is listening. */
async function startExampleApp(env: Env): Promise<void> {
  const child = spawn(process.execPath, [EXAMPLE], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise((resolve) => child.once('exit', resolve))
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example app did not start:\n${output}`)), APP_READY_DEADLINE_MS)
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (output.includes('listening on')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.once('exit', () => {
      clearTimeout(timer)
      reject(new Error(`the example app exited:\n${output}`))
    })
  })
}

describe('signing in to the example web app in Chromium', () => {
  it('signs up on the hosted pages, lands back signed in, and signs out of the app and of Tessera', async () => {
    const env: Env = {
      TESSERA_DATA_DIR: cleanup.tempDir('tessera-browser-'),
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
      TESSERA_LOG_LEVEL: 'warn',
    }
    // The app on localhost, Tessera on 127.0.0.1: two sites, as an app and its identity provider are.
    const appUrl = `http://localhost:${await freePort()}`
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
      '--post-logout-redirect-uri',
      `${appUrl}/signed-out`,
      '--first-party',
    ])
    const tessera = await startTessera(env, { host: '127.0.0.1' })
    cleanup.push(() => stopTessera(tessera))
    const [context] = await Promise.all([
      openChromium(cleanup),
      startExampleApp({
        OIDC_ISSUER: tessera.base,
        OIDC_CLIENT_ID: String(app.clientId),
        OIDC_CLIENT_SECRET: String(app.clientSecret),
        APP_URL: appUrl,
      }),
    ])
    const page = await context.newPage()
    // Fail on the step that hangs, with its own message, well before the test's timeout.
    page.setDefaultTimeout(8_000)
    const onSignInPage = (url: URL) => url.origin === tessera.base && url.pathname === '/ui/sign-in'
    /** GET /v1/session with a Tessera session cookie. */
    const sessionWith = (cookie: { name: string; value: string }) =>
      fetch(`${tessera.base}/v1/session`, { headers: { cookie: `${cookie.name}=${cookie.value}` } })

    await page.goto(appUrl)
    await page.getByRole('link', { name: 'Sign in' }).click()
    await page.waitForURL(onSignInPage)
    await page.getByRole('link', { name: 'Create an account' }).click()
    await page.getByLabel('Email').fill(EMAIL)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()

    await page.waitForURL(`${appUrl}/`)
    expect(await page.locator('#email').textContent()).toBe(EMAIL)
    // Tessera set its own session cookie in the browser, and it names this user.
    const tesseraCookie = (await context.cookies(tessera.base)).find((each) => each.name === 'tessera_session')
    if (!tesseraCookie) throw new Error('no Tessera session cookie in the browser')
    const signedIn = await sessionWith(tesseraCookie)
    expect(signedIn.status).toBe(200)
    expect(await signedIn.json()).toMatchObject({ user: { email: EMAIL } })

    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.waitForURL(`${appUrl}/signed-out`)
    expect(await page.getByText('You have signed out.').count()).toBe(1)
    // Tessera's session is gone: the cookie the browser held no longer works...
    expect((await sessionWith(tesseraCookie)).status).toBe(401)
    // ...and signing in again asks for credentials instead of signing straight back in.
    await page.getByRole('link', { name: 'Sign in' }).click()
    await page.waitForURL(onSignInPage)
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in')
  })
})
