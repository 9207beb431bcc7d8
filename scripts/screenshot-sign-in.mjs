// Retakes docs/images/hosted-sign-in.png: Tessera's hosted sign-in page as a user reaches it from
// an app, in Debian's Chromium driven by playwright-core. Run `npm run build` first, then
//   node scripts/screenshot-sign-in.mjs
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { createTessera, loadConfig } from 'tessera'

const OUTPUT = fileURLToPath(new URL('../docs/images/hosted-sign-in.png', import.meta.url))
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'

async function freePort() {
  const probe = createServer()
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  return port
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-screenshot-'))
const port = await freePort()
const issuer = `http://127.0.0.1:${port}`
const tessera = await createTessera(
  loadConfig({
    env: {},
    overrides: { databaseUrl: `sqlite:${join(dir, 'tessera.db')}`, dataDir: dir, logLevel: 'silent', port, issuer },
  }),
)
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
})
try {
  const app = await tessera.app()
  await app.listen({ port, host: '127.0.0.1' })
  // What `tessera apps create --type web --first-party ...` registers.
  const { application } = await tessera.services.applications.create(
    {
      name: 'Acme Orders',
      type: 'web',
      grants: ['authorization_code'],
      redirectUris: ['https://orders.example.com/callback'],
      firstParty: true,
    },
    { kind: 'cli' },
  )
  const verifier = randomBytes(32).toString('base64url')
  const authorize = new URL('/oauth/authorize', issuer)
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: application.id,
    redirect_uri: 'https://orders.example.com/callback',
    scope: 'openid email profile',
    state: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString()

  const page = await browser.newPage({ viewport: { width: 800, height: 560 }, deviceScaleFactor: 1 })
  await page.goto(authorize.href)
  await page.getByLabel('Email').fill('ann@example.com')
  await page.screenshot({ path: OUTPUT })
  process.stdout.write(`Wrote ${OUTPUT}\n`)
} finally {
  await browser.close()
  await tessera.close()
  rmSync(dir, { recursive: true, force: true })
}
