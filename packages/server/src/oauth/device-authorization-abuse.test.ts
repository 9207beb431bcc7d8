import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_AUDIENCE, clientCredentials } from '../../test/admin-client.js'
import { useCliFixture } from '../../test/cli-fixture.js'
import { authorize, DEVICE_CODE, deviceClient, nextEmail, poll, rows, signedInOnDevicePage } from '../../test/device-fixture.js'
import { API, CLI, createApi, createClient, createUser, OTHER_API, post } from '../../test/oauth-fixture.js'
import { hiddenFields, location } from '../../test/oidc-fixture.js'
import { createTestServer, ORIGIN, type TestServer } from '../../test/test-server.js'
import { en } from '../i18n/catalogues/en.js'
import { fr } from '../i18n/catalogues/fr.js'
import { escapeHtml } from '../ui/html.js'

describe('the device authorization grant refuses what it must, and a refusal changes nothing', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await createTestServer()
    await createApi(server)
    await createApi(server, OTHER_API)
  })
  afterAll(() => server.close())

  it('is for applications registered for it, and never for a browser app', async () => {
    const without = await createClient(server, { type: 'native', grants: ['refresh_token'] })
    const refused = await post(server, '/oauth/device_authorization', { scope: 'read', resource: API }, without)
    expect(refused.statusCode).toBe(400)
    expect(refused.json()).toMatchObject({ error: 'unauthorized_client' })
    const token = await post(server, '/oauth/token', { grant_type: DEVICE_CODE, device_code: 'a'.repeat(43) }, without)
    expect(token.json()).toMatchObject({ error: 'unauthorized_client' })
    expect(await rows(server)).toHaveLength(0)
    // A page in a browser has the code flow: a single-page app cannot hold the grant.
    await expect(
      server.tessera.services.applications.create({ name: 'SPA', type: 'spa', grants: ['device_code'], redirectUris: [] }, CLI),
    ).rejects.toMatchObject({ code: 'invalid_request' })

    // The admin API takes the short name and answers with the grant's URN.
    const admin = await server.tessera.services.adminBootstrap.bootstrap({ kind: 'cli' })
    const adminToken = await clientCredentials(server, admin.clientId, admin.clientSecret, ADMIN_AUDIENCE, 'admin:write')
    const created = await server.app.inject({
      method: 'POST',
      url: '/admin/v1/applications',
      headers: { authorization: `Bearer ${adminToken}` },
      payload: { name: 'TV app', type: 'native', grants: ['device_code', 'refresh_token'], redirectUris: [] },
    })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json().application.grants).toContain(DEVICE_CODE)
  })

  it('refuses malformed or disallowed device authorization requests, and stores nothing', async () => {
    const client = await deviceClient(server)
    const confidential = await deviceClient(server, { type: 'web' })
    const form = (body: string, headers: Record<string, string> = {}, url = '/oauth/device_authorization') =>
      server.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: body,
      })
    const cases: [string, Promise<{ statusCode: number; json(): unknown }>, number, string][] = [
      [
        'an unknown API',
        post(server, '/oauth/device_authorization', { resource: 'https://nowhere.example' }, client),
        400,
        'invalid_target',
      ],
      [
        'an API the client may not use',
        post(server, '/oauth/device_authorization', { resource: OTHER_API }, client),
        400,
        'invalid_target',
      ],
      [
        'a scope beyond the client',
        post(server, '/oauth/device_authorization', { scope: 'admin', resource: API }, client),
        400,
        'invalid_scope',
      ],
      ['an API scope without its API', post(server, '/oauth/device_authorization', { scope: 'read' }, client), 400, 'invalid_scope'],
      [
        'two resources',
        post(
          server,
          '/oauth/device_authorization',
          [
            ['resource', API],
            ['resource', API],
          ],
          client,
        ),
        400,
        'invalid_target',
      ],
      [
        'a repeated scope',
        form(`client_id=${client.id}&scope=read&scope=write&resource=${encodeURIComponent(API)}`),
        400,
        'invalid_request',
      ],
      ['parameters in the URL', form(`client_id=${client.id}`, {}, `/oauth/device_authorization?scope=read`), 400, 'invalid_request'],
      ['no client', form('scope=openid'), 401, 'invalid_client'],
      ['an unknown client', form('client_id=app_nobody'), 401, 'invalid_client'],
      ['a confidential client without its secret', form(`client_id=${confidential.id}`), 401, 'invalid_client'],
      [
        'a wrong secret',
        form('scope=openid', { authorization: `Basic ${Buffer.from(`${confidential.id}:wrong`).toString('base64')}` }),
        401,
        'invalid_client',
      ],
      // Not for browsers (cors/: no policy): a cross-site form post is refused (csrf_rejected, sent as
      // RFC 6749 §5.2 invalid_request) before anything is stored.
      [
        'a cross-site form post',
        form(`client_id=${client.id}`, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
        400,
        'invalid_request',
      ],
    ]
    for (const [name, pending, status, error] of cases) {
      const response = await pending
      expect(response.statusCode, name).toBe(status)
      expect(response.json(), name).toMatchObject({ error })
    }
    const json = await server.app.inject({
      method: 'POST',
      url: '/oauth/device_authorization',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ client_id: client.id }),
    })
    // RFC 6749 §3.2: form bodies only; a JSON body is a malformed request.
    expect(json.statusCode).toBe(400)
    expect(json.json()).toMatchObject({ error: 'invalid_request' })
    // No preflight is answered, and no page may read an answer.
    const preflight = await server.app.inject({
      method: 'OPTIONS',
      url: '/oauth/device_authorization',
      headers: { origin: 'https://app.example.test', 'access-control-request-method': 'POST' },
    })
    expect(preflight.statusCode).toBe(404)
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined()
    expect((await rows(server)).filter((row) => [client.id, confidential.id].includes(row.client_id))).toHaveLength(0)

    // The same client, asking properly, is answered.
    const ok = await post(server, '/oauth/device_authorization', { scope: 'read', resource: API }, client)
    expect(ok.statusCode).toBe(200)
    expect(ok.headers['cache-control']).toBe('no-store')
    expect(ok.headers['access-control-allow-origin']).toBeUndefined()
  })

  it('refuses malformed polls without touching the authorization', async () => {
    const client = await deviceClient(server)
    const email = nextEmail()
    await createUser(server, email)
    const started = await authorize(server, client)
    const before = (await rows(server)).find((row) => row.client_id === client.id)
    for (const [form, error] of [
      [{ grant_type: DEVICE_CODE }, 'invalid_request'],
      [{ grant_type: DEVICE_CODE, device_code: 'short' }, 'invalid_grant'],
      [{ grant_type: DEVICE_CODE, device_code: 'A'.repeat(43) }, 'invalid_grant'],
      [{ grant_type: DEVICE_CODE, device_code: started.user_code }, 'invalid_grant'],
    ] as const) {
      const response = await post(server, '/oauth/token', form, client)
      expect(response.statusCode, JSON.stringify(form)).toBe(400)
      expect(response.json(), JSON.stringify(form)).toMatchObject({ error })
    }
    expect((await rows(server)).find((row) => row.client_id === client.id)).toEqual(before)

    // Approved, a poll naming another API is refused and spends nothing; the right one gets tokens.
    const { browser, page } = await signedInOnDevicePage(server, email)
    const confirm = await browser.post('/ui/device', { ...hiddenFields(page.body), user_code: started.user_code })
    await browser.post('/ui/device/decision', { ...hiddenFields(confirm.body), decision: 'allow' })
    const wrongApi = await post(
      server,
      '/oauth/token',
      { grant_type: DEVICE_CODE, device_code: started.device_code, resource: OTHER_API },
      client,
    )
    expect(wrongApi.json()).toMatchObject({ error: 'invalid_target' })
    expect((await poll(server, client, started.device_code)).statusCode).toBe(200)
  })

  it('refuses forged, cross-site and stale forms on the verification page, and leaves the request pending', async () => {
    const client = await deviceClient(server)
    const email = nextEmail()
    await createUser(server, email)
    const first = await authorize(server, client)
    const second = await authorize(server, client)
    const { browser, page } = await signedInOnDevicePage(server, email)
    const entry = hiddenFields(page.body)
    // The page speaks the browser's language (docs/localization.md).
    const french = await browser.get('/ui/device', { 'accept-language': 'fr' })
    expect(french.body).toContain(`<h1>${escapeHtml(fr['device.title'])}</h1>`)

    const crossSite = await browser.post(
      '/ui/device',
      { ...entry, user_code: first.user_code },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    )
    expect(crossSite.statusCode).toBe(403)
    expect(crossSite.body).toContain(escapeHtml(en['error.csrf_rejected']))
    const noToken = await browser.post('/ui/device', { user_code: first.user_code })
    expect(noToken.statusCode).toBe(403)
    expect(noToken.body).toContain(escapeHtml(en['error.csrf_token_invalid']))

    // The confirmation form of one code cannot decide another: its token names the code.
    const confirm = hiddenFields((await browser.post('/ui/device', { ...entry, user_code: first.user_code })).body)
    const swapped = await browser.post('/ui/device/decision', { ...confirm, user_code: second.user_code, decision: 'allow' })
    expect(swapped.statusCode).toBe(403)
    const odd = await browser.post('/ui/device/decision', { ...confirm, decision: 'maybe' })
    expect(odd.statusCode).toBe(400)
    const forged = await browser.post(
      '/ui/device/decision',
      { ...confirm, decision: 'allow' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    )
    expect(forged.statusCode).toBe(403)
    // Another browser, signed in as someone else, cannot use this session's form either.
    const other = nextEmail()
    await createUser(server, other)
    const stranger = await signedInOnDevicePage(server, other)
    expect((await stranger.browser.post('/ui/device/decision', { ...confirm, decision: 'allow' })).statusCode).toBe(403)
    // Without a session, the decision sends the browser to sign in, back to the code.
    const anonymous = await server.app.inject({
      method: 'POST',
      url: '/ui/device/decision',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
      payload: new URLSearchParams({ ...confirm, decision: 'allow' }).toString(),
    })
    expect(location(anonymous).pathname).toBe('/ui/sign-in')

    for (const started of [first, second]) {
      server.clock.advance(5_000)
      expect((await poll(server, client, started.device_code)).json()).toMatchObject({ error: 'authorization_pending' })
    }
    // The genuine form still works once.
    expect((await browser.post('/ui/device/decision', { ...confirm, decision: 'allow' })).statusCode).toBe(200)
    expect((await browser.post('/ui/device/decision', { ...confirm, decision: 'deny' })).statusCode).toBe(400)
    server.clock.advance(5_000)
    expect((await poll(server, client, first.device_code)).statusCode).toBe(200)
  })
  it('sends a one-factor session to sign in again before approving for an app that requires a second factor', async () => {
    const { application } = await server.tessera.services.applications.create(
      { name: 'Bank TV', type: 'native', grants: ['device_code'], apis: [API], scopes: ['read'], requireMfa: true },
      CLI,
    )
    const client = { id: application.id, secret: null }
    const email = nextEmail()
    await createUser(server, email)
    const started = await authorize(server, client, { scope: 'read' })
    const { browser, page } = await signedInOnDevicePage(server, email)
    const again = await browser.post('/ui/device', { ...hiddenFields(page.body), user_code: started.user_code })
    const signIn = location(again)
    expect(signIn.pathname).toBe('/ui/sign-in')
    // The sign-in names the device's client, so its second-factor rule applies there.
    const flow = await server.tessera.database.db
      .selectFrom('flows')
      .select(['client_id', 'context'])
      .where('id', '=', signIn.searchParams.get('request') as string)
      .executeTakeFirstOrThrow()
    expect(flow.client_id).toBe(application.id)
    expect(JSON.parse(flow.context)).toMatchObject({ returnTo: `/ui/device?user_code=${started.user_code}` })
    server.clock.advance(5_000)
    expect((await poll(server, client, started.device_code)).json()).toMatchObject({ error: 'authorization_pending' })
  })
})

describe('tessera apps create --grants device_code', () => {
  const cli = useCliFixture()

  it('registers a native app for the device grant, and refuses it for a single-page app', async () => {
    const created = await cli.ok(['apps', 'create', '--name', 'TV', '--type', 'native', '--grants', 'device_code,refresh_token'])
    expect((created.application as { grants: string[] }).grants).toEqual([DEVICE_CODE, 'refresh_token'])
    const refused = await cli.refused(['apps', 'create', '--name', 'SPA', '--type', 'spa', '--grants', DEVICE_CODE])
    expect(refused.error).toBe('invalid_request')
  })
})

describe('brute force of user codes (RFC 8628 §5.1)', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await createTestServer({
      config: { deviceFlow: { entriesPerSession: 3, entriesPerIp: 5, entryWindow: 900, codeLifetime: 1800 } },
    })
    await createApi(server)
  })
  afterAll(() => server.close())

  /** The value of one series of `tessera_device_code_entries_total`, scraped as an operator would. */
  async function entries(token: string, outcome: string): Promise<number> {
    const response = await server.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } })
    const line = response.body.split('\n').find((each) => each.startsWith(`tessera_device_code_entries_total{outcome="${outcome}"}`))
    return Number(line?.split(' ').at(-1))
  }

  it('limits code entries per session and per IP, right or wrong, and says so with a clear page', async () => {
    const admin = await server.tessera.services.adminBootstrap.bootstrap({ kind: 'cli' })
    const token = await clientCredentials(server, admin.clientId, admin.clientSecret, ADMIN_AUDIENCE, 'admin:read')
    expect([await entries(token, 'accepted'), await entries(token, 'wrong'), await entries(token, 'limited')]).toEqual([0, 0, 0])
    const client = await deviceClient(server)
    const email = nextEmail()
    await createUser(server, email)
    const started = await authorize(server, client)
    const { browser, page } = await signedInOnDevicePage(server, email)
    const entry = hiddenFields(page.body)
    for (const guess of ['BBBB-BBBB', 'BBBB-BBBC', 'bbbb bbbd']) {
      const wrong = await browser.post('/ui/device', { ...entry, user_code: guess })
      expect(wrong.statusCode, guess).toBe(400)
      expect(wrong.body).toContain(escapeHtml(en['error.user_code_invalid']))
    }
    // The session's budget is spent: even the right code is refused until the window ends.
    const blocked = await browser.post('/ui/device', { ...entry, user_code: started.user_code })
    expect(blocked.statusCode).toBe(429)
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800)
    expect(blocked.body).toContain(escapeHtml(en['error.too_many_attempts']))
    expect(blocked.body).not.toContain('/ui/device/decision')

    // Another session from the same IP has a budget of its own, but the IP's is nearly spent (4 of 5).
    const other = nextEmail()
    await createUser(server, other)
    const second = await signedInOnDevicePage(server, other)
    const secondEntry = hiddenFields(second.page.body)
    expect((await second.browser.post('/ui/device', { ...secondEntry, user_code: 'CCCC-CCCC' })).statusCode).toBe(400)
    const ipBlocked = await second.browser.post('/ui/device', { ...secondEntry, user_code: started.user_code })
    expect(ipBlocked.statusCode).toBe(429)

    // The request itself was never touched, and after the window the right code works.
    server.clock.advance(900_000)
    const confirm = await browser.post('/ui/device', { ...entry, user_code: started.user_code })
    expect(confirm.statusCode).toBe(200)
    expect(confirm.body).toContain('/ui/device/decision')
    expect((await poll(server, client, started.device_code)).json()).toMatchObject({ error: 'authorization_pending' })
    // Each entry is counted for the operator: four wrong, two refused by the limits, one accepted.
    const fresh = await clientCredentials(server, admin.clientId, admin.clientSecret, ADMIN_AUDIENCE, 'admin:read')
    expect([await entries(fresh, 'accepted'), await entries(fresh, 'wrong'), await entries(fresh, 'limited')]).toEqual([1, 4, 2])
  })
})
