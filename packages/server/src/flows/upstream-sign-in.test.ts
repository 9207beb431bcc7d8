import type { TestContext } from 'vitest'
import { describe, expect, it } from 'vitest'
import {
  authorizeUrl,
  Browser,
  codeRequest,
  createClient,
  createUser,
  hiddenFields,
  location,
  pkce,
  REDIRECT,
  redeem,
  serve,
} from '../../test/oidc-fixture.js'
import type { TestServer, TestServerOptions } from '../../test/test-server.js'
import { PASSWORD } from '../../test/test-server.js'
import { connectUpstream, continuedTo, signInUpstream, startUpstreamProvider } from '../../test/upstream-provider.js'
import { en } from '../i18n/catalogues/en.js'
import { totpCodeAt } from '../mfa/totp.js'

const CLI = { kind: 'cli' } as const

/** Tessera with one connection to a real OpenID Provider (node-oidc-provider on a loopback port). */
async function setUp(
  onTestFinished: TestContext['onTestFinished'],
  options: { allowSignUp?: boolean; config?: TestServerOptions['config'] } = {},
) {
  const upstream = await startUpstreamProvider()
  onTestFinished(() => upstream.close())
  const server = await serve(onTestFinished, 'sqlite', options.config)
  const connection = await connectUpstream(server, upstream, { allowSignUp: options.allowSignUp ?? true })
  const client = await createClient(server, { firstParty: true })
  return { upstream, server, connection, client }
}

/** authorize → sign-in page; returns the browser and the page. */
async function signInPage(server: TestServer, client: { id: string; secret: string | null }, challenge: string) {
  const browser = new Browser(server.app)
  const at = location(await browser.get(authorizeUrl(codeRequest(client, challenge))))
  const page = await browser.get(at.pathname + at.search)
  expect(page.statusCode).toBe(200)
  return { browser, page }
}

/** Clicks "Continue with …", signs in upstream as `account`, and follows the callback back into Tessera. */
async function continueWith(browser: Browser, page: string, account: string) {
  const link = /href="(\/ui\/connections\/[^"]+)"/.exec(page)?.[1] ?? ''
  expect(link, 'the sign-in page offers the connection').not.toBe('')
  const start = await browser.get(link.replaceAll('&amp;', '&'))
  expect(start.statusCode, start.body).toBe(303)
  const callback = await signInUpstream(start.headers.location as string, account)
  expect(callback.pathname).toMatch(/^\/oauth\/callback\/con_/)
  return { callback, answer: await browser.get(callback.pathname + callback.search) }
}

async function eventTypes(server: TestServer) {
  return (await server.tessera.database.db.selectFrom('event_outbox').select(['type', 'payload']).orderBy('seq').execute()).map(
    (row) => row.type,
  )
}

describe('signing in through an upstream OpenID Provider (issue 15)', () => {
  it('creates an account on the first sign-in, with amr fed and the verified address marked verified, and signs it in again later', async ({
    onTestFinished,
  }) => {
    const { upstream, server, client, connection } = await setUp(onTestFinished)
    upstream.accounts.set('alice-sub', { email: 'Alice@Example.com', email_verified: true, name: 'Alice' })
    await server.tessera.services.roles.create({ name: 'member', default: true }, CLI)
    const { verifier, challenge } = pkce()
    const { browser, page } = await signInPage(server, client, challenge)
    expect(page.body).toContain('Continue with Upstream')
    const { answer } = await continueWith(browser, page.body, 'alice-sub')
    const back = continuedTo(answer)
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
    const tokens = await redeem(server.app, client, back.searchParams.get('code') as string, verifier)
    expect(tokens.statusCode, tokens.body).toBe(200)
    const idToken = JSON.parse(Buffer.from((tokens.json().id_token as string).split('.')[1] as string, 'base64url').toString())
    expect(idToken.amr).toEqual(['fed'])

    const user = await server.tessera.stores.users.findByEmail('alice@example.com')
    expect(user).toMatchObject({ emailVerified: true, status: 'active' })
    // Issue 16: a just-in-time account gets the default roles like any other new account.
    expect((await server.tessera.services.roles.listRolesOfUser(user?.id as string)).map((role) => role.name)).toEqual(['member'])
    const identities = await server.tessera.stores.identities.listByUser(user?.id as string)
    expect(identities).toMatchObject([{ connectionId: connection.id, subject: 'alice-sub' }])
    const types = await eventTypes(server)
    expect(types).toEqual(expect.arrayContaining(['user.created', 'identity.linked', 'session.created']))

    // A second sign-in from a fresh browser finds the identity by its subject, not its address.
    upstream.accounts.set('alice-sub', { email: 'alice.new@example.com', email_verified: true })
    const again = await signInPage(server, client, challenge)
    const second = await continueWith(again.browser, again.page.body, 'alice-sub')
    expect(`${continuedTo(second.answer).origin}${continuedTo(second.answer).pathname}`).toBe(REDIRECT)
    expect(await server.tessera.stores.users.findByEmail('alice.new@example.com')).toBeNull()
    expect((await eventTypes(server)).filter((type) => type === 'user.created')).toHaveLength(1)
  })

  it('does not trust email_verified given as the string "true": the account is created unverified', async ({ onTestFinished }) => {
    const { upstream, server, client } = await setUp(onTestFinished)
    upstream.accounts.set('bob-sub', { email: 'bob@example.com', email_verified: 'true' })
    const { browser, page } = await signInPage(server, client, pkce().challenge)
    const { answer } = await continueWith(browser, page.body, 'bob-sub')
    expect(continuedTo(answer).pathname).toBe('/callback')
    expect(await server.tessera.stores.users.findByEmail('bob@example.com')).toMatchObject({ emailVerified: false })
  })

  it('links to an existing account only after its password is given in the same flow', async ({ onTestFinished }) => {
    const { upstream, server, client, connection } = await setUp(onTestFinished)
    const annId = await createUser(server, 'ann@example.com')
    upstream.accounts.set('ann-upstream', { email: 'ann@example.com', email_verified: true })
    const { browser, page } = await signInPage(server, client, pkce().challenge)
    const { answer } = await continueWith(browser, page.body, 'ann-upstream')
    const waiting = location(answer)
    expect(waiting.pathname).toBe('/ui/sign-in')
    // Nothing linked, no session yet.
    expect(await server.tessera.stores.identities.listByUser(annId)).toEqual([])
    expect(answer.cookies.find((cookie) => cookie.name.endsWith('tessera_session'))).toBeUndefined()
    const prove = await browser.get(waiting.pathname + waiting.search)
    expect(prove.body).toContain(
      en['connections.linkNotice'].replace('<b>{email}</b>', '<strong>ann@example.com</strong>').replace('{connection}', 'Upstream'),
    )

    const wrong = await browser.post('/ui/sign-in', { ...hiddenFields(prove.body), email: 'ann@example.com', password: 'not the password' })
    expect(wrong.statusCode).toBe(401)
    expect(await server.tessera.stores.identities.listByUser(annId)).toEqual([])

    const right = await browser.post('/ui/sign-in', { ...hiddenFields(wrong.body), email: 'ann@example.com', password: PASSWORD })
    expect(`${location(right).origin}${location(right).pathname}`).toBe(REDIRECT)
    expect(await server.tessera.stores.identities.listByUser(annId)).toMatchObject([
      { connectionId: connection.id, subject: 'ann-upstream' },
    ])

    // From now on the upstream alone signs Ann in.
    const again = await signInPage(server, client, pkce().challenge)
    const second = await continueWith(again.browser, again.page.body, 'ann-upstream')
    expect(continuedTo(second.answer).pathname).toBe('/callback')
  })

  it('never links on an unverified upstream address: it refuses with a page and changes nothing', async ({ onTestFinished }) => {
    const { upstream, server, client } = await setUp(onTestFinished)
    const annId = await createUser(server, 'ann@example.com')
    upstream.accounts.set('mallory', { email: 'ann@example.com', email_verified: false })
    const { browser, page } = await signInPage(server, client, pkce().challenge)
    const { answer } = await continueWith(browser, page.body, 'mallory')
    expect(answer.statusCode).toBe(409)
    expect(answer.headers['content-type']).toMatch(/^text\/html/)
    expect(answer.body).toContain(en['error.upstream_account_exists'])
    expect(await server.tessera.stores.identities.listByUser(annId)).toEqual([])
    expect(answer.cookies.find((cookie) => cookie.name.endsWith('tessera_session'))).toBeUndefined()
  })

  it('does not link when a different account is signed in to in the linking flow', async ({ onTestFinished }) => {
    const { upstream, server, client } = await setUp(onTestFinished)
    const annId = await createUser(server, 'ann@example.com')
    const bobId = await createUser(server, 'bob@example.com')
    upstream.accounts.set('ann-upstream', { email: 'ann@example.com', email_verified: true })
    const { browser, page } = await signInPage(server, client, pkce().challenge)
    const { answer } = await continueWith(browser, page.body, 'ann-upstream')
    const prove = await browser.get(location(answer).pathname + location(answer).search)
    const asBob = await browser.post('/ui/sign-in', { ...hiddenFields(prove.body), email: 'bob@example.com', password: PASSWORD })
    expect(location(asBob).pathname).toBe('/callback')
    expect(await server.tessera.stores.identities.listByUser(annId)).toEqual([])
    expect(await server.tessera.stores.identities.listByUser(bobId)).toEqual([])
  })

  it('makes a new upstream user enrol a second factor where the application requires one, before any session', async ({
    onTestFinished,
  }) => {
    const { upstream, server, client } = await setUp(onTestFinished)
    await server.tessera.services.applications.update(client.id, { requireMfa: true }, CLI)
    upstream.accounts.set('erin', { email: 'erin@example.com', email_verified: true })
    const { browser, page } = await signInPage(server, client, pkce().challenge)
    const { answer } = await continueWith(browser, page.body, 'erin')
    expect(location(answer).pathname).toBe('/ui/second-factor/enrol')
    const user = await server.tessera.stores.users.findByEmail('erin@example.com')
    expect(user).not.toBeNull()
    expect(
      await server.tessera.database.db
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', user?.id as string)
        .execute(),
    ).toEqual([])
    expect(answer.cookies.find((cookie) => cookie.name.endsWith('tessera_session'))).toBeUndefined()
  })

  it('under mfa.policy required, enrols an authenticator app inside the upstream sign-in, then asks for it at the next one', async ({
    onTestFinished,
  }) => {
    const { upstream, server, client } = await setUp(onTestFinished, { config: { mfa: { policy: 'required' } } })
    upstream.accounts.set('erin', { email: 'erin@example.com', email_verified: true })
    const { verifier, challenge } = pkce()
    const { browser, page } = await signInPage(server, client, challenge)
    const { answer } = await continueWith(browser, page.body, 'erin')
    const enrolAt = location(answer)
    expect(enrolAt.pathname).toBe('/ui/second-factor/enrol')
    const enrol = await browser.get(enrolAt.pathname + enrolAt.search)
    const secret = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(enrol.body)?.[1]?.replaceAll(' ', '') as string
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    // A wrong code starts nothing.
    expect((await browser.post('/ui/second-factor/enrol', { ...hiddenFields(enrol.body), code: '000000' })).statusCode).toBe(401)
    expect([...browser.cookies.keys()].some((name) => name.endsWith('tessera_session'))).toBe(false)
    const codes = await browser.post('/ui/second-factor/enrol', {
      ...hiddenFields(enrol.body),
      code: totpCodeAt(secret, server.clock.now()),
    })
    expect(codes.statusCode, codes.body).toBe(200)
    expect(codes.body.match(/<li><code>[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}<\/code><\/li>/g)).toHaveLength(10)
    const back = location(await browser.post('/ui/recovery-codes', hiddenFields(codes.body)))
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
    const tokens = await redeem(server.app, client, back.searchParams.get('code') as string, verifier)
    expect(tokens.statusCode, tokens.body).toBe(200)
    const idToken = JSON.parse(Buffer.from((tokens.json().id_token as string).split('.')[1] as string, 'base64url').toString())
    expect(idToken).toMatchObject({ amr: ['fed', 'otp', 'mfa'], acr: 'urn:tessera:acr:mfa' })

    // The next upstream sign-in, in another browser, asks for that app's code instead of enrolling again.
    server.clock.advance(60_000)
    const again = await signInPage(server, client, pkce().challenge)
    const { answer: second } = await continueWith(again.browser, again.page.body, 'erin')
    expect(location(second).pathname).toBe('/ui/second-factor')
  })

  it('creates no account on an unverified upstream address under signUp.requireVerifiedEmail', async ({ onTestFinished }) => {
    const { upstream, server, client } = await setUp(onTestFinished, { config: { signUp: { requireVerifiedEmail: true } } })
    upstream.accounts.set('frank', { email: 'frank@example.com', email_verified: false })
    const { browser, page } = await signInPage(server, client, pkce().challenge)
    const { answer } = await continueWith(browser, page.body, 'frank')
    expect(answer.statusCode).toBeGreaterThanOrEqual(400)
    expect(answer.headers['content-type']).toMatch(/^text\/html/)
    expect(await server.tessera.stores.users.findByEmail('frank@example.com')).toBeNull()
  })

  it('refuses a new upstream user when the connection may not create accounts', async ({ onTestFinished }) => {
    const { upstream, server, client } = await setUp(onTestFinished, { allowSignUp: false })
    upstream.accounts.set('carol', { email: 'carol@example.com', email_verified: true })
    const { browser, page } = await signInPage(server, client, pkce().challenge)
    const { answer } = await continueWith(browser, page.body, 'carol')
    expect(answer.statusCode).toBe(403)
    expect(await server.tessera.stores.users.findByEmail('carol@example.com')).toBeNull()
  })

  it('uses a callback once: the replay, and a callback in another browser, are refused and change nothing', async ({ onTestFinished }) => {
    const { upstream, server, client } = await setUp(onTestFinished)
    upstream.accounts.set('dave', { email: 'dave@example.com', email_verified: true })
    const { browser, page } = await signInPage(server, client, pkce().challenge)
    const link = /href="(\/ui\/connections\/[^"]+)"/.exec(page.body)?.[1]?.replaceAll('&amp;', '&') as string
    const start = await browser.get(link)
    const callback = await signInUpstream(start.headers.location as string, 'dave')

    // Another browser (no binding cookie, or its own) cannot use this answer.
    const other = new Browser(server.app)
    const stolen = await other.get(callback.pathname + callback.search)
    expect(stolen.statusCode).toBe(400)
    expect(stolen.body).toContain(en['error.upstream_state_invalid'])
    expect(await server.tessera.stores.users.findByEmail('dave@example.com')).toBeNull()

    const first = await browser.get(callback.pathname + callback.search)
    expect(continuedTo(first).pathname).toBe('/callback')
    const replay = await browser.get(callback.pathname + callback.search)
    expect(replay.statusCode).toBe(400)
    expect((await eventTypes(server)).filter((type) => type === 'user.created')).toHaveLength(1)
  })
})
