import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authorizeUrl, Browser, codeRequest, createClient, hiddenFields, location, pkce } from '../../test/oidc-fixture.js'
import { createTestServer, ORIGIN, signUp, type TestServer } from '../../test/test-server.js'
import { createTranslator } from '../i18n/translator.js'

const CLI = { kind: 'cli' } as const
const FRENCH = { 'accept-language': 'fr-FR, fr;q=0.9' }
const fr = createTranslator('fr')
/** A catalogue message as a page shows it (apostrophes and the like are not escaped; these messages hold no markup). */
const said = (key: Parameters<typeof fr.t>[0], values: Record<string, string> = {}) => fr.t(key, values)

let server: TestServer
let connectionId: string

beforeAll(async () => {
  server = await createTestServer()
  connectionId = (await server.tessera.connections.service.create({ preset: 'github', clientId: 'gh', clientSecret: 's' }, CLI)).id
})
afterAll(async () => {
  await server?.close()
})

describe('the connection pages speak the browser’s language (issue 15, i18n/catalogues)', () => {
  it('offers "Continue with …" on the French sign-in page', async () => {
    const client = await createClient(server, { firstParty: true })
    const browser = new Browser(server.app)
    const at = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge)), FRENCH))
    const page = await browser.get(at.pathname + at.search, FRENCH)
    expect(page.body).toContain('<html lang="fr">')
    expect(page.body).toContain(said('connections.continueWith', { name: 'GitHub' }))
    expect(page.body).toContain(`<p class="alt">${said('connections.or')}</p>`)
  })

  it('shows the account’s sign-in methods, unlinks, and refuses in French', async () => {
    const { cookie, body } = await signUp(server.app, 'ann@example.com')
    const annId = body.user?.id as string
    await server.tessera.connections.federation.link(
      annId,
      { connectionId, subject: '1001', email: 'ann@example.com', emailVerified: true, name: null },
      CLI,
      'account_page',
      null,
    )
    const browser = new Browser(server.app)
    browser.cookies.set(cookie?.name as string, cookie?.value as string)
    const page = await browser.get('/ui/account/connections', FRENCH)
    expect(page.statusCode).toBe(200)
    for (const text of [
      said('accountConnections.title'),
      said('accountConnections.hasPassword'),
      said('accountConnections.unlink', { name: 'GitHub' }),
    ])
      expect(page.body).toContain(text)

    const unknown = await browser.post(
      '/ui/account/connections/unlink',
      { ...hiddenFields(page.body), identity: 'idn_missing' },
      {
        origin: ORIGIN,
        ...FRENCH,
      },
    )
    expect(unknown.statusCode).toBe(404)
    expect(unknown.body).toContain(said('error.identity_not_found'))
    const unlinked = await browser.post('/ui/account/connections/unlink', hiddenFields(page.body), { origin: ORIGIN, ...FRENCH })
    expect(unlinked.statusCode, unlinked.body).toBe(200)
    expect(unlinked.body).toContain(said('accountConnections.unlinked'))
    expect(unlinked.body).toContain(said('accountConnections.none'))
  })

  it('refuses a foreign callback with a French page', async () => {
    const refused = await server.app.inject({
      method: 'GET',
      url: `/oauth/callback/${connectionId}?code=c&state=${'A'.repeat(22)}.${'B'.repeat(43)}`,
      headers: FRENCH,
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain(`${said('error.upstream_state_invalid')} ${said('error.back')}`)
  })
})
