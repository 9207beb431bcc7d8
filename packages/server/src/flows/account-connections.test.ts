import type { TestContext } from 'vitest'
import { describe, expect, it } from 'vitest'
import { Browser, createClient, hiddenFields, serve } from '../../test/oidc-fixture.js'
import { signIn, signUp, type TestServer } from '../../test/test-server.js'
import { connectUpstream, signInUpstream, startUpstreamProvider } from '../../test/upstream-provider.js'

const CLI = { kind: 'cli' } as const

async function setUp(onTestFinished: TestContext['onTestFinished']) {
  const upstream = await startUpstreamProvider()
  onTestFinished(() => upstream.close())
  const server = await serve(onTestFinished)
  const connection = await connectUpstream(server, upstream)
  await createClient(server, { firstParty: true })
  return { upstream, server, connection }
}

/** A browser signed in to Tessera as `email` (a session cookie). */
async function signedInBrowser(server: TestServer, email: string, create = true): Promise<Browser> {
  const { cookie } = create ? await signUp(server.app, email) : await signIn(server.app, email)
  const browser = new Browser(server.app)
  browser.cookies.set(cookie?.name as string, cookie?.value as string)
  return browser
}

async function events(server: TestServer, type: string) {
  const rows = await server.tessera.database.db.selectFrom('event_outbox').select('payload').where('type', '=', type).execute()
  return rows.map((row) => JSON.parse(row.payload) as Record<string, unknown>)
}

describe('linking and unlinking from /ui/account/connections (issue 15 §3)', () => {
  it('links an upstream identity to the signed-in account through the round trip, then unlinks it', async ({ onTestFinished }) => {
    const { upstream, server, connection } = await setUp(onTestFinished)
    const browser = await signedInBrowser(server, 'ann@example.com')
    const annId = (await server.tessera.stores.users.findByEmail('ann@example.com'))?.id as string
    // Any upstream address will do here: Ann has proved who she is by being signed in.
    upstream.accounts.set('ann-elsewhere', { email: 'ann.work@example.org', email_verified: false })

    const page = await browser.get('/ui/account/connections')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Link Upstream')
    const start = await browser.get(`/ui/account/connections/${connection.id}/link`)
    expect(start.statusCode, start.body).toBe(303)
    const callback = await signInUpstream(start.headers.location as string, 'ann-elsewhere')
    const back = await browser.get(callback.pathname + callback.search)
    expect(back.statusCode, back.body).toBe(303)
    expect(back.headers.location).toBe('/ui/account/connections?linked=1')
    const [identity] = await server.tessera.stores.identities.listByUser(annId)
    expect(identity).toMatchObject({ connectionId: connection.id, subject: 'ann-elsewhere' })
    expect(await events(server, 'identity.linked')).toMatchObject([{ how: 'account_page', connectionId: connection.id }])

    const listed = await browser.get('/ui/account/connections?linked=1')
    expect(listed.body).toContain('Unlink Upstream')
    const unlinked = await browser.post('/ui/account/connections/unlink', hiddenFields(listed.body))
    expect(unlinked.statusCode, unlinked.body).toBe(200)
    expect(await server.tessera.stores.identities.listByUser(annId)).toEqual([])
    expect(await events(server, 'identity.unlinked')).toMatchObject([{ identityId: identity?.id, by: 'user' }])
  })

  it('keeps at least one way to sign in: an account made by the upstream cannot unlink its only identity', async ({ onTestFinished }) => {
    const { server, connection } = await setUp(onTestFinished)
    // An account created just in time has no password.
    const { user } = await server.tessera.connections.federation.signUp(
      { connectionId: connection.id, subject: 'only', email: 'solo@example.com', emailVerified: true, name: null },
      null,
      (tx, created) =>
        server.tessera.services.sessions.start(tx, { user: created, device: { ip: null, userAgent: null }, amr: ['fed'], actor: CLI }),
    )
    const started = await server.tessera.services.auth.startSession(user.id, ['fed'], { ip: null, userAgent: null }, 'sign_in')
    const browser = new Browser(server.app)
    browser.cookies.set(server.tessera.cookie.name, started.token)
    const page = await browser.get('/ui/account/connections')
    expect(page.body).toContain('This account has no password.')
    const refused = await browser.post('/ui/account/connections/unlink', hiddenFields(page.body))
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('only way to sign in')
    expect(await server.tessera.stores.identities.listByUser(user.id)).toHaveLength(1)
  })

  it('refuses without a session, with a wrong CSRF token, and from another site', async ({ onTestFinished }) => {
    const { server } = await setUp(onTestFinished)
    expect((await new Browser(server.app).get('/ui/account/connections')).statusCode).toBe(401)
    const browser = await signedInBrowser(server, 'ann@example.com')
    const page = await browser.get('/ui/account/connections')
    const fields = { ...hiddenFields(page.body), identity: 'idn_AAAAAAAAAAAAAAAAAAAAAA' }
    expect((await browser.post('/ui/account/connections/unlink', { ...fields, csrf: 'forged' })).statusCode).toBe(403)
    const crossSite = await browser.post('/ui/account/connections/unlink', fields, { origin: 'https://evil.example' })
    expect(crossSite.statusCode).toBe(403)
  })
})
