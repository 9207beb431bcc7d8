import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AdminHarness, adminHarness, expectProblem } from '../../test/admin-client.js'
import { authorizeUrl, Browser, codeRequest, createClient, location, pkce } from '../../test/oidc-fixture.js'
import { continuedTo, signInUpstream, startUpstreamProvider, type UpstreamProvider } from '../../test/upstream-provider.js'

let upstream: UpstreamProvider
let admin: AdminHarness
let client: { id: string; secret: string | null }
let closeServer: () => unknown = () => undefined

/** A real OpenID Provider (node-oidc-provider) and Tessera; the provider's client is switched to private_key_jwt per test. */
beforeAll(async () => {
  upstream = await startUpstreamProvider()
  admin = await adminHarness((close) => {
    closeServer = close as unknown as () => unknown
  })
  client = await createClient(admin.server, { firstParty: true })
})
afterAll(async () => {
  await closeServer()
  await upstream?.close()
})

async function createConnection(): Promise<string> {
  const created = await admin.call('POST', '/connections', {
    payload: {
      type: 'oidc',
      name: 'Upstream',
      issuer: upstream.issuer,
      clientId: upstream.clientId,
      clientSecret: upstream.clientSecret,
      allowInsecureDevelopment: true,
    },
  })
  expect(created.statusCode, created.body).toBe(201)
  const { id, redirectUri } = created.json().connection
  await upstream.allowRedirectUri(redirectUri)
  return id as string
}

/** Continue with the connection, sign in upstream, follow the callback: the answer of Tessera's callback. */
async function signInThrough(connectionId: string, account: string) {
  const browser = new Browser(admin.server.app)
  const at = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
  const request = at.searchParams.get('request') as string
  const start = await browser.get(`/ui/connections/${connectionId}/start?request=${request}`)
  expect(start.statusCode, start.body).toBe(303)
  const callback = await signInUpstream(start.headers.location as string, account)
  return browser.get(callback.pathname + callback.search)
}

describe('private_key_jwt at the upstream (issue 15, RFC 7523 §2.2)', () => {
  it('generates a key in place of the secret, publishes only its public part, and signs in at a provider that accepts only private_key_jwt', async () => {
    const connectionId = await createConnection()
    const generated = await admin.call('POST', `/connections/${connectionId}/key`)
    expect(generated.statusCode, generated.body).toBe(200)
    const { connection, jwk } = generated.json()
    expect(connection).toMatchObject({ clientAuthentication: 'private_key_jwt', hasClientSecret: false })
    expect(connection.jwksUri).toBe(`https://id.example.test/oauth/connections/${connectionId}/jwks`)
    expect(jwk).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: expect.any(String),
      alg: 'ES256',
      use: 'sig',
    })

    // The JWKS URL serves the same public key, and nothing private.
    const jwks = await admin.server.app.inject({ method: 'GET', url: `/oauth/connections/${connectionId}/jwks` })
    expect(jwks.statusCode).toBe(200)
    expect(jwks.headers['content-type']).toMatch(/^application\/jwk-set\+json/)
    expect(jwks.json()).toEqual({ keys: [jwk] })
    // Sealed at rest: the row holds no JWK member in the clear.
    const row = await admin.server.tessera.database.db
      .selectFrom('connections')
      .select(['private_key_sealed', 'client_secret_sealed'])
      .where('id', '=', connectionId)
      .executeTakeFirstOrThrow()
    expect(row.client_secret_sealed).toBeNull()
    expect(row.private_key_sealed).not.toContain(jwk.x)
    expect(row.private_key_sealed).not.toContain('"d"')

    // The provider now knows only the public key: no secret would be accepted.
    await upstream.usePrivateKeyJwt({ keys: [jwk] })
    upstream.accounts.set('pkj-sub', { email: 'pkj@example.com', email_verified: true })
    const answer = await signInThrough(connectionId, 'pkj-sub')
    expect(continuedTo(answer).pathname).toBe('/callback')
    expect(await admin.server.tessera.stores.users.findByEmail('pkj@example.com')).toMatchObject({ emailVerified: true })
    expect(upstream.errors).toEqual([])
  })

  it('is refused by the provider once the key is replaced by one it does not know, and records invalid_client without any token', async () => {
    const connectionId = await createConnection()
    const first = (await admin.call('POST', `/connections/${connectionId}/key`)).json().jwk
    await upstream.usePrivateKeyJwt({ keys: [first] })
    const second = (await admin.call('POST', `/connections/${connectionId}/key`)).json().jwk
    expect(second.kid).not.toBe(first.kid)
    upstream.accounts.set('stale-sub', { email: 'stale@example.com', email_verified: true })
    const answer = await signInThrough(connectionId, 'stale-sub')
    expect(answer.statusCode).toBe(400)
    expect(await admin.server.tessera.stores.users.findByEmail('stale@example.com')).toBeNull()
    const failures = (await admin.server.tessera.stores.events.listAfter(0, 1000)).filter(
      (event) => event.type === 'sign_in.upstream_failed',
    )
    expect(failures.at(-1)?.payload).toEqual({ connectionId, reason: 'token_error', upstreamError: 'invalid_client' })
    const events = (await admin.server.tessera.stores.events.listAfter(0, 1000)).filter((event) => event.type === 'connection.updated')
    expect(events.at(-1)?.payload).toEqual({ connectionId, name: 'Upstream', changed: ['privateKey'] })
    expect(JSON.stringify(events)).not.toContain(second.x)
  })

  it('goes back to a client secret when one is set, and answers 404 for a key of a connection without one', async () => {
    const connectionId = await createConnection()
    await admin.call('POST', `/connections/${connectionId}/key`)
    const changed = await admin.call('PATCH', `/connections/${connectionId}`, { payload: { clientSecret: upstream.clientSecret } })
    expect(changed.json().connection).toMatchObject({ clientAuthentication: 'client_secret', hasClientSecret: true, jwksUri: null })
    expectProblem(
      await admin.server.app.inject({ method: 'GET', url: `/oauth/connections/${connectionId}/jwks` }),
      404,
      'connection_not_found',
    )
    expectProblem(
      await admin.server.app.inject({ method: 'GET', url: '/oauth/connections/con_AAAAAAAAAAAAAAAAAAAAAA/jwks' }),
      404,
      'connection_not_found',
    )
    expectProblem(await admin.call('POST', '/connections/con_AAAAAAAAAAAAAAAAAAAAAA/key'), 404, 'connection_not_found')
    const reader = await admin.tokenWith('admin:read')
    expectProblem(await admin.call('POST', `/connections/${connectionId}/key`, { token: reader }), 403, 'insufficient_scope')
  })
})
