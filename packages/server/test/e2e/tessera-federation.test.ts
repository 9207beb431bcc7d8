import { createHash, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { describe, expect, it } from 'vitest'
import { openChromium } from './chromium.js'
import { useCleanup } from './cleanup.js'
import { freePort } from './free-port.js'
import { type Env, runCli, startTessera, stopTessera } from './tessera-process.js'

// Issue 15, "done means": two Tessera instances, one signing in through the other, set up with the
// commands docs/connections.md gives (its section "Two Tessera instances"). A is the upstream on
// 127.0.0.1, B the downstream on localhost (two hosts, so their cookies stay apart).

const PASSWORD = 'correct horse battery staple'

const cleanup = useCleanup()

describe('one Tessera signing in through another (issue 15)', () => {
  it('creates the account on B from a sign-in at A, following the docs', async () => {
    const [portA, portB, portApp] = [await freePort(), await freePort(), await freePort()]
    const a: Env = {
      TESSERA_DATA_DIR: cleanup.tempDir('tessera-a-'),
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
      TESSERA_LOG_LEVEL: 'warn',
      TESSERA_HOST: '127.0.0.1',
      TESSERA_ISSUER: `http://127.0.0.1:${portA}`,
    }
    const b: Env = {
      TESSERA_DATA_DIR: cleanup.tempDir('tessera-b-'),
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
      TESSERA_LOG_LEVEL: 'warn',
      TESSERA_ISSUER: `http://localhost:${portB}`,
    }
    // On A: a user, and B registered as an application (its redirect URI comes from B below).
    await runCli(a, ['users', 'create', '--email', 'ann@example.com', '--password-stdin'], `${PASSWORD}\n`)
    const atA = await runCli(a, [
      'apps',
      'create',
      '--name',
      'Tessera B',
      '--type',
      'web',
      '--grants',
      'authorization_code',
      '--redirect-uris',
      `http://localhost:${portB}/oauth/callback/pending`,
      '--first-party',
    ])
    // On B: the connection to A, with the secret A gave, then A learns B's exact redirect URI.
    const connection = await runCli(
      b,
      [
        'connections',
        'create',
        '--type',
        'oidc',
        '--name',
        'Tessera A',
        '--issuer',
        a.TESSERA_ISSUER as string,
        '--client-id',
        String(atA.clientId),
        '--client-secret-stdin',
        '--allow-insecure-development',
      ],
      `${atA.clientSecret}\n`,
    )
    await runCli(a, ['apps', 'update', String(atA.clientId), '--redirect-uris', String(connection.redirectUri)])
    // An application of B's own, whose users may sign in with Tessera A.
    const appUrl = `http://localhost:${portApp}`
    const app = await runCli(b, [
      'apps',
      'create',
      '--name',
      'App',
      '--type',
      'web',
      '--grants',
      'authorization_code',
      '--redirect-uris',
      `${appUrl}/callback`,
      '--first-party',
    ])
    const appServer = createServer((request, response) => {
      const url = new URL(request.url ?? '/', appUrl)
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      response.end(`<!doctype html><title>App</title><p id="code">${url.searchParams.get('code') ?? 'none'}</p>`)
    })
    await new Promise<void>((resolve) => appServer.listen(portApp, '127.0.0.1', resolve))
    cleanup.push(() => new Promise<void>((resolve) => appServer.close(() => resolve())))

    const tesseraA = await startTessera(a, { host: '127.0.0.1', port: portA })
    cleanup.push(() => stopTessera(tesseraA))
    const tesseraB = await startTessera(b, { host: 'localhost', port: portB })
    cleanup.push(() => stopTessera(tesseraB))
    const context = await openChromium(cleanup)

    const page = await context.newPage()
    page.setDefaultTimeout(8_000)
    const verifier = randomBytes(32).toString('base64url')
    const query = new URLSearchParams({
      client_id: String(app.clientId),
      redirect_uri: `${appUrl}/callback`,
      response_type: 'code',
      scope: 'openid email',
      state: 'app-state',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    })
    await page.goto(`${tesseraB.base}/oauth/authorize?${query}`)
    await page.getByRole('link', { name: 'Continue with Tessera A' }).click()
    await page.waitForURL((url) => url.origin === tesseraA.base && url.pathname === '/ui/sign-in')
    await page.getByLabel('Email').fill('ann@example.com')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in', exact: true }).click()
    await page
      .waitForURL((url) => url.href.startsWith(`${appUrl}/callback`))
      .catch(async (error) => {
        throw new Error(`${page.url()}\n${(await page.content()).slice(0, 1500)}\n${tesseraB.output().slice(-1500)}`, { cause: error })
      })
    expect(await page.locator('#code').textContent()).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const users = (await runCli(b, ['users', 'list'])) as { users: { email: string }[] }
    expect(users.users.map((user) => user.email)).toEqual(['ann@example.com'])
  })
})
