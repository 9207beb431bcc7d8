import { describe, expect, it } from 'vitest'
import {
  authorizeUrl,
  Browser,
  codeRequest,
  createClient,
  createUser,
  hiddenFields,
  ISSUER,
  location,
  POST_LOGOUT,
  pkce,
  REDIRECT,
  serve,
} from '../../test/oidc-fixture.js'
import { PASSWORD, signIn } from '../../test/test-server.js'

const SESSION = '__Host-tessera_session'

/** A browser at the sign-in page of a flow started by /oauth/authorize. */
async function atSignIn(onTestFinished: Parameters<typeof serve>[0], options: { firstParty?: boolean } = {}) {
  const server = await serve(onTestFinished)
  await createUser(server)
  const client = await createClient(server, { firstParty: options.firstParty ?? true })
  const browser = new Browser(server.app)
  const next = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
  expect(next.pathname).toBe('/ui/sign-in')
  const page = await browser.get(next.pathname + next.search)
  return { server, client, browser, flowId: next.searchParams.get('request') as string, fields: hiddenFields(page.body) }
}

describe('the login flow', () => {
  it('is stored when the authorization endpoint starts it, resumed by the sign-in page, and ends with the code', async ({
    onTestFinished,
  }) => {
    const { server, browser, flowId, fields } = await atSignIn(onTestFinished)
    const stored = await server.tessera.stores.flows.findById(flowId)
    expect(stored).toMatchObject({ type: 'login', next: ['password', 'registration'], done: [], version: 1, sessionId: null })
    expect(stored?.context.authorization?.state).toBe('state-123')
    // Only hashes of the browser binding and the CSRF token are stored.
    expect(JSON.stringify(stored)).not.toContain(fields.csrf)

    server.clock.advance(60_000)
    const back = location(await browser.post('/ui/sign-in', { ...fields, email: 'ann@example.com', password: PASSWORD }))
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
    expect(back.searchParams.get('state')).toBe('state-123')
    expect(back.searchParams.get('iss')).toBe(ISSUER)
    expect(back.searchParams.get('code')).toBeTruthy()
    // The flow ended in the transaction that issued the code.
    expect(await server.tessera.stores.flows.findById(flowId)).toBeNull()
  })

  it('records the steps done, with the session’s methods, while it waits for consent', async ({ onTestFinished }) => {
    const { server, browser, flowId, fields } = await atSignIn(onTestFinished, { firstParty: false })
    const consentAt = location(await browser.post('/ui/sign-in', { ...fields, email: 'ann@example.com', password: PASSWORD }))
    expect(consentAt.pathname).toBe('/ui/consent')
    const stored = await server.tessera.stores.flows.findById(flowId)
    expect(stored).toMatchObject({ next: ['consent'], version: 2 })
    expect(stored?.done.map((done) => [done.step, done.amr])).toEqual([['password', ['pwd']]])
    const session = await server.tessera.stores.sessions.findById(stored?.sessionId as string)
    expect(session?.amr).toEqual(['pwd'])
  })

  it('refuses a flow used from another browser, and the owner can still finish it', async ({ onTestFinished }) => {
    const { server, browser, fields } = await atSignIn(onTestFinished)
    const stranger = new Browser(server.app)
    // The stranger even has a binding cookie of its own: it is not this flow's.
    await stranger.get(authorizeUrl(codeRequest(await createClient(server), pkce().challenge)))
    const stolen = await stranger.post('/ui/sign-in', { ...fields, email: 'ann@example.com', password: PASSWORD })
    expect(stolen.statusCode).toBe(400)
    expect(stolen.body).toContain('started in another browser')
    expect([...stranger.cookies.keys()]).not.toContain(SESSION)
    expect((await stranger.get(`/ui/sign-in?request=${fields.request}`)).statusCode).toBe(400)
    const back = location(await browser.post('/ui/sign-in', { ...fields, email: 'ann@example.com', password: PASSWORD }))
    expect(back.searchParams.get('code')).toBeTruthy()
  })

  it('refuses a stale or replayed CSRF token with 403, and nothing changes', async ({ onTestFinished }) => {
    const { server, browser, flowId, fields } = await atSignIn(onTestFinished, { firstParty: false })
    const consentAt = location(await browser.post('/ui/sign-in', { ...fields, email: 'ann@example.com', password: PASSWORD }))
    const before = await server.tessera.stores.flows.findById(flowId)
    // The sign-in page's token belonged to the flow's first version; the flow has moved on.
    const stale = await browser.post('/ui/consent', { request: flowId, csrf: fields.csrf as string, decision: 'allow' })
    expect(stale.statusCode).toBe(403)
    expect(await server.tessera.stores.flows.findById(flowId)).toEqual(before)
    const replayedSignIn = await browser.post('/ui/sign-in', { ...fields, email: 'ann@example.com', password: PASSWORD })
    expect(replayedSignIn.statusCode).toBe(403)
    expect(await server.tessera.stores.flows.findById(flowId)).toEqual(before)

    const consent = await browser.get(consentAt.pathname + consentAt.search)
    const current = hiddenFields(consent.body)
    expect(current.csrf).not.toBe(fields.csrf)
    const back = location(await browser.post('/ui/consent', { ...current, decision: 'allow' }))
    expect(back.searchParams.get('code')).toBeTruthy()
    // The same form again: the flow is over, so it is refused and no second code is issued.
    const replayed = await browser.post('/ui/consent', { ...current, decision: 'allow' })
    expect(replayed.statusCode).toBe(400)
    expect(replayed.headers.location).toBeUndefined()
  })

  it('expires after 15 minutes, and expired flows are pruned', async ({ onTestFinished }) => {
    const { server, browser, flowId, fields } = await atSignIn(onTestFinished)
    server.clock.advance(15 * 60_000 - 1)
    expect((await browser.get(`/ui/sign-in?request=${flowId}`)).statusCode).toBe(200)
    server.clock.advance(1)
    expect((await browser.get(`/ui/sign-in?request=${flowId}`)).statusCode).toBe(400)
    const late = await browser.post('/ui/sign-in', { ...fields, email: 'ann@example.com', password: PASSWORD })
    expect(late.statusCode).toBe(400)
    expect([...browser.cookies.keys()]).not.toContain(SESSION)
    expect(await server.tessera.stores.flows.prune(server.clock.now())).toBe(1)
  })
})

describe('the JSON API drives the same login flow', () => {
  it('signs in within one request and stores no flow', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const { response } = await signIn(server.app, 'ann@example.com')
    expect(response.statusCode).toBe(200)
    expect(await server.tessera.stores.flows.prune(Number.MAX_SAFE_INTEGER)).toBe(0)
  })
})

describe('the logout flow', () => {
  it('binds the confirmation to the browser and its session: another browser’s token does not sign anyone out', async ({
    onTestFinished,
  }) => {
    const { server, client, browser, fields } = await atSignIn(onTestFinished)
    location(await browser.post('/ui/sign-in', { ...fields, email: 'ann@example.com', password: PASSWORD }))
    const query = new URLSearchParams({ client_id: client.id, post_logout_redirect_uri: POST_LOGOUT })
    const page = await browser.get(`/oauth/logout?${query}`)
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] as string
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/)

    // Another signed-in browser posting this browser's token is asked to confirm again.
    const other = await signIn(server.app, 'ann@example.com')
    const foreign = await server.app.inject({
      method: 'POST',
      url: '/oauth/logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: other.cookieHeader as string, origin: ISSUER },
      payload: new URLSearchParams({ client_id: client.id, post_logout_redirect_uri: POST_LOGOUT, csrf }).toString(),
    })
    expect(foreign.statusCode).toBe(200)
    expect(foreign.body).toContain('Sign out of Tessera?')

    const done = await browser.post('/oauth/logout', { client_id: client.id, post_logout_redirect_uri: POST_LOGOUT, csrf })
    expect(location(done).href).toBe(POST_LOGOUT)
    // The flow is over: the same confirmation cannot be used twice.
    const flowId = csrf.split('.')[0] as string
    expect(await server.tessera.stores.flows.findById(flowId)).toBeNull()
  })
})
