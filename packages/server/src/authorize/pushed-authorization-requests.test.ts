import { rmSync } from 'node:fs'
import { decodeJwt } from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { adminHarness } from '../../test/admin-client.js'
import { cli, oneJsonObject } from '../../test/cli-harness.js'
import {
  Browser,
  type Client,
  createClient,
  createUser,
  discover,
  hiddenFields,
  ISSUER,
  location,
  pkce,
  REDIRECT,
  redeem,
  serve,
} from '../../test/oidc-fixture.js'
import { createTestDatabase, testTempDir } from '../../test/test-database.js'
import type { TestServer } from '../../test/test-server.js'

const CLI = { kind: 'cli' } as const

function push(server: TestServer, client: Client, form: Record<string, string>, auth: 'basic' | 'none' = 'basic') {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
  const body = { ...form }
  if (auth === 'basic' && client.secret) headers.authorization = `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`
  if (!body.client_id) body.client_id = client.id
  return server.app.inject({ method: 'POST', url: '/oauth/par', headers, payload: new URLSearchParams(body).toString() })
}

function request(client: Client, challenge: string, extra: Record<string, string> = {}) {
  return {
    client_id: client.id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: 'openid email',
    state: 'state-1',
    nonce: 'nonce-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  }
}

async function pushedRows(server: TestServer): Promise<number> {
  return (await server.tessera.database.db.selectFrom('pushed_authorization_requests').selectAll().execute()).length
}

/** Signs in through the hosted page the authorization URL leads to; returns the callback URL. */
async function signInAt(server: TestServer, url: string): Promise<URL> {
  const browser = new Browser(server.app)
  const signIn = location(await browser.get(url))
  expect(signIn.pathname).toBe('/ui/sign-in')
  const page = await browser.get(signIn.pathname + signIn.search)
  return location(
    await browser.post('/ui/sign-in', { ...hiddenFields(page.body), email: 'ann@example.com', password: 'correct horse battery staple' }),
  )
}

/** Issue 16 part 5: pushed authorization requests (RFC 9126). */
describe('pushed authorization requests', () => {
  it('work end to end with oauth4webapi: discovery, the push, the authorization URL with request_uri, the code and its ID token', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    server.clock.set(Date.now())
    const userId = await createUser(server)
    const registered = await createClient(server)
    const { as, options } = await discover(server)
    expect(as.pushed_authorization_request_endpoint).toBe(`${ISSUER}/oauth/par`)
    expect(as.require_pushed_authorization_requests).toBe(false)
    const client: oauth.Client = { client_id: registered.id }
    const auth = oauth.ClientSecretBasic(registered.secret as string)

    const verifier = oauth.generateRandomCodeVerifier()
    const nonce = oauth.generateRandomNonce()
    const state = oauth.generateRandomState()
    const pushed = await oauth.processPushedAuthorizationResponse(
      as,
      client,
      await oauth.pushedAuthorizationRequest(
        as,
        client,
        auth,
        {
          redirect_uri: REDIRECT,
          response_type: 'code',
          scope: 'openid email',
          code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        },
        options,
      ),
    )
    expect(pushed.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/)
    expect(pushed.expires_in).toBe(60)
    // Only a hash of the reference is stored.
    const stored = await server.tessera.database.db.selectFrom('pushed_authorization_requests').selectAll().execute()
    expect(JSON.stringify(stored)).not.toContain(pushed.request_uri.split(':').pop())

    const url = new URL(as.authorization_endpoint as string)
    url.search = new URLSearchParams({ client_id: registered.id, request_uri: pushed.request_uri }).toString()
    const callback = await signInAt(server, url.pathname + url.search)
    const params = oauth.validateAuthResponse(as, client, callback, state)
    const result = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, auth, params, REDIRECT, verifier, options),
      { expectedNonce: nonce, requireIdToken: true },
    )
    expect(oauth.getValidatedIdTokenClaims(result)?.sub).toBe(userId)
    expect(await pushedRows(server)).toBe(0)
  })

  it('a request_uri is single use, expires after 60 seconds, and is bound to its client: each refusal is an error page that redirects nowhere', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const registered = await createClient(server)
    const other = await createClient(server, { name: 'Other app' })
    const { challenge } = pkce()
    const authorizeWith = (clientId: string, requestUri: string) =>
      new Browser(server.app).get(`/oauth/authorize?${new URLSearchParams({ client_id: clientId, request_uri: requestUri })}`)

    const first = (await push(server, registered, request(registered, challenge))).json().request_uri as string
    expect(location(await authorizeWith(registered.id, first)).pathname).toBe('/ui/sign-in')
    const replay = await authorizeWith(registered.id, first)
    expect(replay.statusCode).toBe(400)
    expect(replay.headers.location).toBeUndefined()

    const expiring = (await push(server, registered, request(registered, challenge))).json().request_uri as string
    server.clock.advance(60_000)
    expect((await authorizeWith(registered.id, expiring)).statusCode).toBe(400)

    // Another client presenting the reference gets nothing, and the reference is spent.
    const stolen = (await push(server, registered, request(registered, challenge))).json().request_uri as string
    expect((await authorizeWith(other.id, stolen)).statusCode).toBe(400)
    expect((await authorizeWith(registered.id, stolen)).statusCode).toBe(400)

    for (const forged of [
      'urn:ietf:params:oauth:request_uri:',
      `urn:ietf:params:oauth:request_uri:${'A'.repeat(43)}`,
      'urn:ietf:params:oauth:request_uri:../x',
    ]) {
      const response = await authorizeWith(registered.id, forged)
      expect(response.statusCode).toBe(400)
      expect(response.headers.location).toBeUndefined()
    }
    // A request_uri that is not ours is still refused as before.
    const foreign = location(
      await new Browser(server.app).get(
        `/oauth/authorize?${new URLSearchParams({ ...request(registered, challenge), request_uri: 'https://evil.example/request.jwt' })}`,
      ),
    )
    expect(foreign.searchParams.get('error')).toBe('request_uri_not_supported')
  })

  it('the pushed parameters win: parameters added on the front channel are ignored', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const registered = await createClient(server, { redirectUris: [REDIRECT, 'https://app.example.test/other'] })
    const { verifier, challenge } = pkce()
    const requestUri = (await push(server, registered, request(registered, challenge))).json().request_uri as string
    const tampered = new URLSearchParams({
      client_id: registered.id,
      request_uri: requestUri,
      redirect_uri: 'https://app.example.test/other',
      scope: 'openid email offline_access',
      state: 'attacker',
    })
    const callback = await signInAt(server, `/oauth/authorize?${tampered}`)
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT)
    expect(callback.searchParams.get('state')).toBe('state-1')
    const tokens = await redeem(server.app, registered, callback.searchParams.get('code') as string, verifier)
    expect(tokens.statusCode).toBe(200)
    expect(tokens.json().refresh_token).toBeUndefined()
    expect(decodeJwt(tokens.json().id_token).nonce).toBe('nonce-1')
  })

  it('refuses a bad push in RFC 6749 §5.2 form and stores nothing: wrong secret, unregistered redirect URI, a pushed request_uri, another client_id, repeated or URL parameters', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    const registered = await createClient(server)
    const other = await createClient(server, { name: 'Other app' })
    const { challenge } = pkce()
    const good = request(registered, challenge)

    const wrongSecret = await push(server, { ...registered, secret: 'x'.repeat(43) }, good)
    expect(wrongSecret.statusCode).toBe(401)
    expect(wrongSecret.json().error).toBe('invalid_client')
    const noAuth = await push(server, registered, good, 'none')
    expect(noAuth.statusCode).toBe(401)

    const cases: [Record<string, string>, string][] = [
      [{ ...good, redirect_uri: 'https://evil.example/callback' }, 'invalid_request'],
      [{ ...good, request_uri: 'urn:ietf:params:oauth:request_uri:abc' }, 'invalid_request'],
      [{ ...good, client_id: other.id }, 'invalid_request'],
      [{ ...good, code_challenge_method: 'plain' }, 'invalid_request'],
      [{ ...good, response_type: 'token' }, 'unsupported_response_type'],
      [{ ...good, request: 'eyJ.x.y' }, 'request_not_supported'],
    ]
    for (const [form, error] of cases) {
      const response = await push(server, registered, form)
      expect(response.statusCode, JSON.stringify(form)).toBe(400)
      expect(response.json().error).toBe(error)
      expect(response.headers.location).toBeUndefined()
    }
    const repeated = await server.app.inject({
      method: 'POST',
      url: '/oauth/par',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${registered.id}:${registered.secret}`).toString('base64')}`,
      },
      payload: `${new URLSearchParams(good)}&scope=openid`,
    })
    expect(repeated.statusCode).toBe(400)
    const inUrl = await server.app.inject({
      method: 'POST',
      url: `/oauth/par?${new URLSearchParams(good)}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${registered.id}:${registered.secret}`).toString('base64')}`,
      },
      payload: 'x=1',
    })
    expect(inUrl.statusCode).toBe(400)
    expect(await pushedRows(server)).toBe(0)
  })

  it('a public client pushes with its client_id alone, and a client secret never reaches the store', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const spa = await createClient(server, { type: 'spa' })
    const web = await createClient(server, { name: 'Web' })
    const { challenge } = pkce()
    const response = await push(server, spa, request(spa, challenge), 'none')
    expect(response.statusCode).toBe(201)
    // client_secret_post: the secret authenticates and is dropped.
    const posted = await server.app.inject({
      method: 'POST',
      url: '/oauth/par',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ ...request(web, challenge), client_secret: web.secret as string }).toString(),
    })
    expect(posted.statusCode).toBe(201)
    const stored = await server.tessera.database.db.selectFrom('pushed_authorization_requests').select('parameters').execute()
    expect(stored).toHaveLength(2)
    expect(JSON.stringify(stored)).not.toContain(web.secret as string)
  })

  it('an application can be required to push: a plain authorization request is refused back to the client, a pushed one works (CLI and admin API)', async ({
    onTestFinished,
  }) => {
    const admin = await adminHarness(onTestFinished)
    const { server } = admin
    await createUser(server)
    const registered = await createClient(server)
    const patched = await admin.call('PATCH', `/applications/${registered.id}`, { payload: { requirePushedAuthorizationRequests: true } })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json().application.requirePushedAuthorizationRequests).toBe(true)
    const { challenge } = pkce()

    const plain = location(await new Browser(server.app).get(`/oauth/authorize?${new URLSearchParams(request(registered, challenge))}`))
    expect(`${plain.origin}${plain.pathname}`).toBe(REDIRECT)
    expect(plain.searchParams.get('error')).toBe('invalid_request')
    expect(plain.searchParams.get('state')).toBe('state-1')

    const requestUri = (await push(server, registered, request(registered, challenge))).json().request_uri as string
    const callback = await signInAt(
      server,
      `/oauth/authorize?${new URLSearchParams({ client_id: registered.id, request_uri: requestUri })}`,
    )
    expect(callback.searchParams.get('code')).toBeTruthy()

    await server.tessera.services.applications.update(registered.id, { requirePushedAuthorizationRequests: false }, CLI)
    const again = location(await new Browser(server.app).get(`/oauth/authorize?${new URLSearchParams(request(registered, challenge))}`))
    expect(again.pathname).toBe('/ui/sign-in')
    const bad = await admin.call('PATCH', `/applications/${registered.id}`, { payload: { requirePushedAuthorizationRequests: 'yes' } })
    expect(bad.statusCode).toBe(400)
  })

  it('expired pushed requests are pruned', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const registered = await createClient(server)
    const { challenge } = pkce()
    await push(server, registered, request(registered, challenge))
    const store = server.tessera.stores.pushedRequests
    expect(await store.prune(server.clock.now())).toBe(0)
    server.clock.advance(60_000)
    expect(await store.prune(server.clock.now())).toBe(1)
    expect(await pushedRows(server)).toBe(0)
  })

  it('tessera apps create --require-par and apps update --require-par on|off set the requirement', async () => {
    const database = createTestDatabase('sqlite')
    const dataDir = testTempDir('tessera-cli-')
    const env = { TESSERA_DATABASE_URL: database.url, TESSERA_DATA_DIR: dataDir }
    try {
      const run = async (argv: string[]) => {
        const result = await cli(env, [...argv, '--json'])
        expect(result.code, result.stderr).toBe(0)
        return oneJsonObject(result.stdout)
      }
      const created = await run(['apps', 'create', '--name', 'Web', '--type', 'web', '--redirect-uris', REDIRECT, '--require-par'])
      expect((created.application as { requirePushedAuthorizationRequests: boolean }).requirePushedAuthorizationRequests).toBe(true)
      const clientId = created.clientId as string
      const updated = await run(['apps', 'update', clientId, '--require-par', 'off'])
      expect((updated.application as { requirePushedAuthorizationRequests: boolean }).requirePushedAuthorizationRequests).toBe(false)
      const bad = await cli(env, ['apps', 'update', clientId, '--require-par', 'maybe', '--json'])
      expect(bad.code).not.toBe(0)
    } finally {
      await database.drop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
