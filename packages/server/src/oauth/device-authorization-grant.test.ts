import { fileURLToPath } from 'node:url'
import { decodeJwt } from 'jose'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  authorize,
  DEVICE_CODE,
  decideThroughPage,
  deviceApproved,
  deviceClient,
  nextEmail,
  poll,
  rows,
  USER_CODE,
} from '../../test/device-fixture.js'
import { injectFetch } from '../../test/inject-fetch.js'
import { API, createApi, createClient, createUser, ISSUER, introspect, post } from '../../test/oauth-fixture.js'
import { Browser, hiddenFields, location, signInThroughPage } from '../../test/oidc-fixture.js'
import { holdRows } from '../../test/row-lock.js'
import { DIALECTS } from '../../test/test-database.js'
import { createTestServer, type TestServer } from '../../test/test-server.js'
import { en } from '../i18n/catalogues/en.js'
import { escapeHtml } from '../ui/html.js'

/** The command-line example of docs/connect-an-app.md, run as written (examples/device-cli). */
const EXAMPLE = fileURLToPath(new URL('../../../../examples/device-cli/device-login.mjs', import.meta.url))

interface DeviceLoginExample {
  deviceLogin(options: {
    issuer: string
    clientId: string
    scope?: string
    resource?: string
    fetch?: unknown
    sleep?: (seconds: number) => Promise<void>
    show?: (prompt: { userCode: string; verificationUri: string; verificationUriComplete: string }) => void | Promise<void>
  }): Promise<{ access_token: string; refresh_token?: string; scope: string }>
}

describe('the device authorization grant (RFC 8628) against a third-party client (oauth4webapi)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await createTestServer()
    await createApi(server)
  })
  afterAll(() => server.close())

  it('asks for a code, polls, gets approved on the hosted page, and receives tokens bound to the approving session', async () => {
    // The library checks iat and exp against the real clock.
    server.clock.set(Date.now())
    const registered = await deviceClient(server)
    const email = nextEmail()
    const user = await createUser(server, email)
    const options = { [oauth.customFetch]: injectFetch(server.app) }
    const issuer = new URL(ISSUER)
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oidc' }))
    expect(as.device_authorization_endpoint).toBe(`${ISSUER}/oauth/device_authorization`)
    expect(as.grant_types_supported).toContain(DEVICE_CODE)
    const client: oauth.Client = { client_id: registered.id }
    const auth = oauth.None()

    const started = await oauth.processDeviceAuthorizationResponse(
      as,
      client,
      await oauth.deviceAuthorizationRequest(as, client, auth, { scope: 'openid offline_access read', resource: API }, options),
    )
    expect(started.user_code).toMatch(USER_CODE)
    expect(started.device_code).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(started.verification_uri).toBe(`${ISSUER}/ui/device`)
    expect(started.verification_uri_complete).toBe(`${ISSUER}/ui/device?user_code=${started.user_code}`)
    expect(started.expires_in).toBe(600)
    expect(started.interval).toBe(5)
    // Only digests are stored.
    const stored = JSON.stringify(await rows(server))
    expect(stored).not.toContain(started.device_code)
    expect(stored).not.toContain(started.user_code.replace('-', ''))

    const pollOnce = async () =>
      oauth.processDeviceCodeResponse(as, client, await oauth.deviceCodeGrantRequest(as, client, auth, started.device_code, options))
    await expect(pollOnce()).rejects.toMatchObject({ error: 'authorization_pending', status: 400 })

    const browser = new Browser(server.app)
    const { confirm, done } = await decideThroughPage(browser, email, started.user_code)
    // The page names the client and what it asks for (RFC 8628 §5.4).
    expect(confirm.body).toContain('Example app')
    expect(confirm.body).toContain('Example API')
    expect(confirm.body).toContain(started.user_code)
    expect(done.statusCode).toBe(200)
    expect(done.body).toContain(en['device.approved.title'])

    server.clock.advance(5_000)
    const tokens = await pollOnce()
    expect(tokens.token_type).toBe('bearer')
    expect(tokens.scope?.split(' ').sort()).toEqual(['offline_access', 'read'])
    const session = (await server.tessera.services.sessions.listLive(user.id)).find((each) => each.id !== user.sessionId)
    expect(session).toBeDefined()
    const access = decodeJwt(tokens.access_token)
    expect(access).toMatchObject({ sub: user.id, aud: API, sid: session?.id, client_id: registered.id, scope: 'read' })
    const idToken = oauth.getValidatedIdTokenClaims(tokens)
    expect(idToken).toMatchObject({ sub: user.id, aud: registered.id, sid: session?.id, amr: ['pwd'] })
    expect(idToken?.auth_time).toBe(Math.floor((session?.authTime as number) / 1000))
    expect(idToken?.nonce).toBeUndefined()

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token as string, options),
    )
    expect(refreshed.access_token).not.toBe(tokens.access_token)

    // The audit log records the approval, never a code or a token.
    await server.tessera.services.audit.catchUp()
    const audit = JSON.stringify(await server.tessera.database.db.selectFrom('audit_log').selectAll().execute())
    expect(audit).toContain('device_authorization.approved')
    for (const secret of [started.device_code, started.user_code, started.user_code.replace('-', ''), tokens.access_token]) {
      expect(audit).not.toContain(secret)
    }
  })

  it('signs in through the device grant with nothing but fetch, waiting the interval between polls', async () => {
    const { deviceLogin } = (await import(EXAMPLE)) as DeviceLoginExample
    const client = await deviceClient(server)
    const email = nextEmail()
    await createUser(server, email)
    let shown: { userCode: string; verificationUriComplete: string } | null = null
    const waits: number[] = []
    const tokens = await deviceLogin({
      issuer: ISSUER,
      clientId: client.id,
      scope: 'openid offline_access read',
      resource: API,
      fetch: injectFetch(server.app),
      show: (prompt) => {
        shown = prompt
      },
      // The person approves while the device waits its second interval.
      sleep: async (seconds) => {
        waits.push(seconds)
        if (waits.length === 2 && shown) await decideThroughPage(new Browser(server.app), email, shown.userCode)
        server.clock.advance(seconds * 1000)
      },
    })
    expect(shown).toMatchObject({
      userCode: expect.stringMatching(USER_CODE),
      verificationUriComplete: expect.stringContaining('/ui/device?user_code='),
    })
    expect(waits).toEqual([5, 5])
    expect(tokens.scope.split(' ').sort()).toEqual(['offline_access', 'read'])
    expect(tokens.refresh_token).toBeDefined()
  })
})

for (const dialect of DIALECTS) {
  describe(`the device authorization grant on ${dialect}`, () => {
    let server: TestServer
    beforeAll(async () => {
      server = await createTestServer({ dialect })
      await createApi(server)
    })
    afterAll(() => server.close())

    it('answers authorization_pending, then slow_down (and five more seconds) to a device polling too fast', async () => {
      const client = await deviceClient(server)
      const started = await authorize(server, client)
      expect((await poll(server, client, started.device_code)).json()).toMatchObject({ error: 'authorization_pending' })
      server.clock.advance(2_000)
      const fast = await poll(server, client, started.device_code)
      expect(fast.statusCode).toBe(400)
      expect(fast.headers['cache-control']).toBe('no-store')
      expect(fast.json()).toMatchObject({ error: 'slow_down' })
      // The interval is now 10 seconds: 5 is too soon, 10 is fine.
      server.clock.advance(5_000)
      expect((await poll(server, client, started.device_code)).json()).toMatchObject({ error: 'slow_down' })
      server.clock.advance(15_000)
      expect((await poll(server, client, started.device_code)).json()).toMatchObject({ error: 'authorization_pending' })
      expect((await rows(server)).find((row) => row.client_id === client.id)?.poll_interval).toBe(15)
    })

    it('redeems an approved code once: a replay fails and revokes what the first redemption issued', async () => {
      const { client, started } = await deviceApproved(server)
      const first = await poll(server, client, started.device_code)
      expect(first.statusCode, first.body).toBe(200)
      const tokens = first.json() as { access_token: string; refresh_token: string; id_token: string }
      const userinfo = () =>
        server.app.inject({ method: 'GET', url: '/oauth/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } })
      expect((await userinfo()).statusCode).toBe(200)

      server.clock.advance(5_000)
      const replay = await poll(server, client, started.device_code)
      expect(replay.statusCode).toBe(400)
      expect(replay.json()).toMatchObject({ error: 'invalid_grant' })
      expect((await userinfo()).statusCode).toBe(401)
      const refresh = await post(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, client)
      expect(refresh.json()).toMatchObject({ error: 'invalid_grant' })
    })

    it('keeps a device code to the client it was issued to: another client gets invalid_grant and spends nothing', async () => {
      const { client, started } = await deviceApproved(server, {})
      const other = await deviceClient(server, { type: 'web' })
      const stolen = await poll(server, other, started.device_code)
      expect(stolen.statusCode).toBe(400)
      expect(stolen.json()).toMatchObject({ error: 'invalid_grant' })
      const own = await poll(server, client, started.device_code)
      expect(own.statusCode, own.body).toBe(200)
    })

    it('answers access_denied once the user denies, and the page says so', async () => {
      const client = await deviceClient(server)
      const email = nextEmail()
      await createUser(server, email)
      const started = await authorize(server, client)
      const { done } = await decideThroughPage(new Browser(server.app), email, started.user_code, 'deny')
      expect(done.statusCode).toBe(200)
      expect(done.body).toContain(en['device.denied.title'])
      for (let i = 0; i < 2; i++) {
        server.clock.advance(5_000)
        const response = await poll(server, client, started.device_code)
        expect(response.statusCode).toBe(400)
        expect(response.json()).toMatchObject({ error: 'access_denied' })
      }
    })

    it('answers expired_token after the code lifetime, and the page refuses the user code', async () => {
      const client = await deviceClient(server)
      const email = nextEmail()
      await createUser(server, email)
      const started = await authorize(server, client)
      server.clock.advance(600_000)
      expect((await poll(server, client, started.device_code)).json()).toMatchObject({ error: 'expired_token' })
      const browser = new Browser(server.app)
      let page = await browser.get(`/ui/device?user_code=${started.user_code}`)
      page = await browser.get(
        `${location(await signInThroughPage(browser, location(page), email)).pathname}?user_code=${started.user_code}`,
      )
      const refused = await browser.post('/ui/device', { ...hiddenFields(page.body), user_code: started.user_code })
      expect(refused.statusCode).toBe(400)
      expect(refused.body).toContain(escapeHtml(en['error.user_code_invalid']))
    })

    it('gives the device’s tokens the methods of the approving session when it approved, though it stepped up before the poll', async () => {
      const { client, user, started } = await deviceApproved(server, {})
      const approval = (await rows(server)).find((row) => row.client_id === client.id)
      const sessionId = approval?.session_id as string
      // The session that approved with its password adds a second factor before the device polls.
      expect(await server.tessera.stores.sessions.stepUp(sessionId, user.id, ['pwd', 'otp', 'mfa'], server.clock.now())).toBe(true)
      const tokens = (await poll(server, client, started.device_code)).json() as { access_token: string; refresh_token: string }
      const resourceServer = await createClient(server, { type: 'resource-server', apis: [API], scopes: [] })
      const shown = async (token: string) => (await introspect(server, resourceServer, token)).json()
      expect(await shown(tokens.access_token)).toMatchObject({ active: true, sid: sessionId, amr: ['pwd'] })
      // A refresh keeps them too.
      const refreshed = await post(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, client)
      expect(refreshed.statusCode, refreshed.body).toBe(200)
      expect(await shown(refreshed.json().access_token)).toMatchObject({ active: true, sid: sessionId, amr: ['pwd'] })
    })

    it('ends the device’s tokens with the session that approved it', async () => {
      const { client, user, started } = await deviceApproved(server)
      const tokens = (await poll(server, client, started.device_code)).json() as { access_token: string; refresh_token: string }
      const sid = decodeJwt(tokens.access_token).sid as string
      expect(sid).not.toBe(user.sessionId)
      const userinfo = () =>
        server.app.inject({ method: 'GET', url: '/oauth/userinfo', headers: { authorization: `Bearer ${tokens.access_token}` } })
      expect((await userinfo()).statusCode).toBe(200)
      // The client is a relying party of that session now: back-channel logout will reach it.
      const parties = await server.tessera.database.db
        .selectFrom('session_relying_parties')
        .selectAll()
        .where('session_id', '=', sid)
        .execute()
      expect(parties.map((party) => party.client_id)).toEqual([client.id])
      await server.tessera.services.sessions.revoke(sid, { reason: 'revoked_by_user', actor: { kind: 'user', id: user.id } })
      expect((await userinfo()).statusCode).toBe(401)
      const refresh = await post(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, client)
      expect(refresh.json()).toMatchObject({ error: 'invalid_grant' })
    })
  })
}

describe('the device authorization grant on postgres, polled concurrently once approved', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await createTestServer({ dialect: 'postgres' })
    await createApi(server)
  })
  afterAll(() => server.close())

  it('revokes what the one successful redemption issued when the others overlapped it (RFC 9700 §4.5)', { timeout: 30_000 }, async () => {
    const { client, started } = await deviceApproved(server)
    // Hold the authorization's row, so that every poll reads it approved and unredeemed and then
    // queues at its update: the first to get the row redeems it, the others find it used only there.
    const locked = await holdRows(server, 'device_authorizations')
    const polls = [0, 1, 2].map(() => poll(server, client, started.device_code))
    await locked.updatesWaiting(3)
    await locked.release()
    const results = await Promise.all(polls)
    expect(results.map((result) => result.statusCode).sort()).toEqual([200, 400, 400])
    for (const replay of results.filter((result) => result.statusCode === 400))
      expect(replay.json()).toMatchObject({ error: 'invalid_grant' })
    const tokens = results.find((result) => result.statusCode === 200)?.json() as { access_token: string; refresh_token: string }
    const userinfo = await server.app.inject({
      method: 'GET',
      url: '/oauth/userinfo',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(userinfo.statusCode).toBe(401)
    const refresh = await post(server, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, client)
    expect(refresh.json()).toMatchObject({ error: 'invalid_grant' })
    const events = await server.tessera.database.db.selectFrom('event_outbox').select('type').execute()
    expect(events.map((event) => event.type)).toContain('device_code.reused')
  })
})
