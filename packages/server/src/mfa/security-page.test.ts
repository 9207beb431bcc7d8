import { describe, expect, it } from 'vitest'
import { Browser, hiddenFields, location, serve } from '../../test/oidc-fixture.js'
import { createSoftAuthenticator } from '../../test/soft-authenticator.js'
import { ORIGIN, PASSWORD } from '../../test/test-server.js'
import { en } from '../i18n/catalogues/en.js'
import { fr } from '../i18n/catalogues/fr.js'
import { escapeHtml } from '../ui/html.js'
import { totpCodeAt } from './totp.js'

const CLI = { kind: 'cli' } as const

/** Signs Ann in on the hosted page the security page sends an anonymous browser to. */
async function signedInBrowser(server: Awaited<ReturnType<typeof serve>>) {
  await server.tessera.services.users.create({ email: 'ann@example.com', password: PASSWORD }, CLI)
  const browser = new Browser(server.app)
  const signInAt = location(await browser.get('/ui/account/security'))
  expect(signInAt.pathname).toBe('/ui/sign-in')
  const page = await browser.get(signInAt.pathname + signInAt.search)
  const back = location(await browser.post('/ui/sign-in', { ...hiddenFields(page.body), email: 'ann@example.com', password: PASSWORD }))
  expect(back.pathname).toBe('/ui/account/security')
  return browser
}

describe('/ui/account/security (docs/mfa.md "The security page")', () => {
  it('adds an authenticator app with a QR code, shows the recovery codes once, makes new ones, and removes the app', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    const browser = await signedInBrowser(server)
    const add = await browser.get('/ui/account/security/totp')
    expect(add.statusCode).toBe(200)
    expect(add.body).toContain('<svg role="img"')
    expect(add.headers['content-security-policy']).not.toContain('script-src')
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(add.body)?.[1]?.replaceAll(' ', '') as string

    const wrong = await browser.post('/ui/account/security/totp', { code: '000000' })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.body).toContain(secret.slice(0, 4))
    const codes = await browser.post('/ui/account/security/totp', { code: totpCodeAt(secret, server.clock.now()) })
    expect(codes.statusCode).toBe(200)
    expect(codes.body.match(/<li><code>[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}<\/code><\/li>/g)).toHaveLength(10)

    const home = await browser.get('/ui/account/security')
    expect(home.body).toContain('<strong>Authenticator app</strong>')
    expect(home.body).toContain(en['security.codesLeft'].replace(/.*other \{# (.*)\}\}$/, '10 $1'))
    const renewed = await browser.post('/ui/account/security/recovery-codes', {})
    expect(renewed.statusCode).toBe(200)
    const fresh = renewed.body.match(/<li><code>([0-9A-Z-]+)<\/code><\/li>/g) ?? []
    expect(fresh).toHaveLength(10)
    expect(codes.body).not.toContain(fresh[0] as string)

    const id = /name="id" value="([^"]+)"/.exec(home.body)?.[1] as string
    expect(location(await browser.post('/ui/account/security/remove', { id })).pathname).toBe('/ui/account/security')
    const after = await browser.get('/ui/account/security')
    expect(after.body).toContain('No authenticator app yet.')
    expect(after.body).toContain(en['security.codesLeft'].replace(/.*other \{# (.*)\}\}$/, '0 $1'))
  })

  it('renames a passkey from its form (same-origin only), and shows a refused name on the page', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const browser = await signedInBrowser(server)
    // The page's script adds a passkey through /v1/mfa with the session cookie, from our origin.
    const json = (url: string, payload: Record<string, unknown>) =>
      server.app.inject({ method: 'POST', url, headers: { cookie: browser.header() as string, origin: ORIGIN }, payload })
    const { challengeId, options } = (await json('/v1/mfa/webauthn/options', {})).json()
    const added = await json('/v1/mfa/webauthn', {
      challengeId,
      response: createSoftAuthenticator().register(options, ORIGIN),
      name: 'Laptop',
    })
    expect(added.statusCode, added.body).toBe(201)
    const home = await browser.get('/ui/account/security')
    expect(home.body).toContain('action="/ui/account/security/rename"')
    const id = /name="id" value="([^"]+)">\n<label for="rename-/.exec(home.body)?.[1] as string
    expect(id).toBeTruthy()
    const crossSite = await browser.post('/ui/account/security/rename', { id, name: 'Evil' }, { origin: 'https://evil.example' })
    expect(crossSite.statusCode).toBe(403)
    const bad = await browser.post('/ui/account/security/rename', { id, name: '   ' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('role="alert"')
    expect(location(await browser.post('/ui/account/security/rename', { id, name: 'Work laptop' })).pathname).toBe('/ui/account/security')
    const after = await browser.get('/ui/account/security')
    expect(after.body).toContain('<strong>Work laptop</strong>')
    expect(after.body).not.toContain('Evil')
  })

  it("speaks the browser's language: French from Accept-Language, as the catalogue says it", async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const browser = await signedInBrowser(server)
    const home = await browser.get('/ui/account/security', { 'accept-language': 'fr-FR,fr;q=0.9' })
    expect(home.statusCode).toBe(200)
    expect(home.body).toContain('<html lang="fr">')
    for (const key of ['security.title', 'security.passkeys', 'security.noPasskeys', 'security.addApp', 'security.addPasskey'] as const) {
      expect(home.body, key).toContain(escapeHtml(fr[key]))
    }
    expect(home.body).not.toContain(en['security.noPasskeys'])
    const add = await browser.get('/ui/account/security/totp', { 'accept-language': 'fr' })
    expect(add.body).toContain(`<h1>${escapeHtml(fr['security.addApp'])}</h1>`)
    expect(add.body).toContain(`aria-label="${escapeHtml(fr['mfaEnrol.qrLabel'])}"`)
    const wrong = await browser.post('/ui/account/security/totp', { code: '000000' }, { origin: ORIGIN, 'accept-language': 'fr' })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.body).toContain(escapeHtml(fr['error.invalid_mfa_code']))
  })

  it('past five minutes offers a fresh sign-in instead of changes, and refuses a cross-site post', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const browser = await signedInBrowser(server)
    server.clock.advance(5 * 60_000 + 1)
    const stale = await browser.get('/ui/account/security')
    expect(stale.statusCode).toBe(200)
    expect(stale.body).toContain('action="/ui/account/security/sign-in-again"')
    expect(stale.body).not.toContain('data-passkey-register')
    expect(location(await browser.get('/ui/account/security/totp')).pathname).toBe('/ui/sign-in')
    const crossSite = await browser.post(
      '/ui/account/security/sign-in-again',
      {},
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    )
    expect(crossSite.statusCode).toBe(403)
  })

  it('under mfa.policy required, refuses removing the last factor on the page', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite', { mfa: { policy: 'required' } })
    await server.tessera.services.users.create({ email: 'ann@example.com', password: PASSWORD }, CLI)
    const browser = new Browser(server.app)
    const signInAt = location(await browser.get('/ui/account/security'))
    const page = await browser.get(signInAt.pathname + signInAt.search)
    const enrolAt = location(
      await browser.post('/ui/sign-in', { ...hiddenFields(page.body), email: 'ann@example.com', password: PASSWORD }),
    )
    expect(enrolAt.pathname).toBe('/ui/second-factor/enrol')
    const enrol = await browser.get(enrolAt.pathname + enrolAt.search)
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.body)?.[1]?.replaceAll(' ', '') as string
    const codes = await browser.post('/ui/second-factor/enrol', {
      ...hiddenFields(enrol.body),
      code: totpCodeAt(secret, server.clock.now()),
    })
    expect(codes.statusCode).toBe(200)
    expect(location(await browser.post('/ui/recovery-codes', hiddenFields(codes.body))).pathname).toBe('/ui/account/security')
    const home = await browser.get('/ui/account/security')
    const id = /name="id" value="([^"]+)"/.exec(home.body)?.[1] as string
    const refused = await browser.post('/ui/account/security/remove', { id })
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('role="alert"')
    expect(refused.body).toContain('<strong>Authenticator app</strong>')
  })
})
