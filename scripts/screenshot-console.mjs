// Retakes the admin console's screenshots in docs/images/ (console-*.png): the main pages as an
// operator sees them, in Debian's Chromium driven by playwright-core, against an in-process
// Tessera with a little demo data. Run `npm run build` first (it builds the console too), then
//   node scripts/screenshot-console.mjs
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { createTessera, loadConfig } from 'tessera'

const IMAGES = fileURLToPath(new URL('../docs/images/', import.meta.url))
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const PASSWORD = 'correct horse battery staple'
const CLI = { kind: 'cli' }

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
    overrides: {
      databaseUrl: `sqlite:${join(dir, 'tessera.db')}`,
      dataDir: dir,
      logLevel: 'silent',
      port,
      issuer,
      masterKey: randomBytes(32).toString('base64url'),
    },
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
  const { users, adminBootstrap, apis, applications, roles } = tessera.services
  // Demo data: an operator, a few users, an API with a role, two applications.
  const operator = await users.create({ email: 'ops@acme.example', password: PASSWORD }, CLI)
  await adminBootstrap.grantToUser(operator.id, { readOnly: false }, CLI)
  const people = []
  for (const email of ['ann@acme.example', 'bob@acme.example', 'chen@acme.example', 'dana@acme.example']) {
    people.push(await users.create({ email, password: PASSWORD }, CLI))
  }
  await users.disable(people[3].id, CLI)
  await apis.create(
    { identifier: 'https://orders.acme.example', name: 'Orders', mode: 'hybrid', scopes: ['orders:read', 'orders:write'] },
    CLI,
  )
  const role = await roles.create({ name: 'orders-reader', description: 'Read orders' }, CLI)
  await roles.addPermissions(role.id, 'https://orders.acme.example', ['orders:read'], CLI)
  await roles.assignToUser(role.id, people[0].id, CLI)
  await applications.create(
    {
      name: 'Acme Orders',
      type: 'web',
      redirectUris: ['https://orders.acme.example/callback'],
      apis: ['https://orders.acme.example'],
      scopes: ['orders:read'],
    },
    CLI,
  )
  await applications.create({ name: 'Billing worker', type: 'm2m', apis: ['https://orders.acme.example'], scopes: ['orders:read'] }, CLI)

  // Some sign-ins for the overview's charts: succeeded and failed, through the HTTP API.
  for (const [email, password] of [
    ['ann@acme.example', PASSWORD],
    ['bob@acme.example', PASSWORD],
    ['chen@acme.example', PASSWORD],
    ['ann@acme.example', PASSWORD],
    ['bob@acme.example', 'not the password at all'],
    ['ann@acme.example', 'not the password either'],
  ]) {
    await fetch(`${issuer}/v1/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, transport: 'bearer' }),
    })
  }

  const page = await browser.newPage({ viewport: { width: 1200, height: 720 }, deviceScaleFactor: 1 })
  page.setDefaultTimeout(10_000)
  await page.goto(`${issuer}/console/`)
  await page.getByLabel('Email').fill('ops@acme.example')
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.getByTestId('who').waitFor()
  const nav = page.getByRole('navigation')
  const shoot = async (name, options = {}) => {
    await page.screenshot({ path: join(IMAGES, `console-${name}.png`), ...options })
    process.stdout.write(`Wrote docs/images/console-${name}.png\n`)
  }

  await page.getByText('active signing key').waitFor()
  await page.getByTestId('chart-sign-ins-hourly').waitFor()
  await shoot('overview', { fullPage: true })
  await nav.getByRole('link', { name: 'Users' }).click()
  await page.getByRole('link', { name: 'dana@acme.example' }).waitFor()
  await shoot('users')
  await page.getByRole('link', { name: 'ann@acme.example' }).click()
  await page.getByRole('heading', { name: 'Sessions' }).waitFor()
  await page.getByRole('link', { name: 'orders-reader' }).waitFor()
  await shoot('user')
  await nav.getByRole('link', { name: 'Applications' }).click()
  await page.getByRole('link', { name: 'Acme Orders' }).waitFor()
  await page.getByRole('button', { name: 'New application' }).click()
  await page.getByLabel('Machine to machine').check()
  await page.getByLabel('Name').fill('Nightly export')
  await page.getByRole('button', { name: 'Create', exact: true }).click()
  await page.getByTestId('secret').waitFor()
  await shoot('applications')
  await nav.getByRole('link', { name: 'APIs' }).click()
  await page.getByText('https://orders.acme.example').first().waitFor()
  await shoot('apis')
  await nav.getByRole('link', { name: 'Roles' }).click()
  await page.getByRole('checkbox', { name: 'orders-reader: orders:read on Orders' }).waitFor()
  await shoot('roles')
  await nav.getByRole('link', { name: 'Signing keys' }).click()
  await page.getByRole('cell', { name: 'active' }).waitFor()
  await shoot('keys')
  await nav.getByRole('link', { name: 'Audit log' }).click()
  await page.getByTestId('audit-action').first().waitFor()
  await shoot('audit')
  await nav.getByRole('link', { name: 'Settings' }).click()
  await page.getByTestId('settings-version').waitFor()
  await shoot('settings')
  // A phone's width: the navigation wraps above the page.
  await page.setViewportSize({ width: 390, height: 780 })
  await nav.getByRole('link', { name: 'Users' }).click()
  await page.getByRole('link', { name: 'dana@acme.example' }).waitFor()
  await shoot('phone')
} finally {
  await browser.close()
  await tessera.close()
  rmSync(dir, { recursive: true, force: true })
}
