import { decodeJwt } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestServer, type TestServer } from '../../test/test-server.js'

const METADATA_PATHS = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'] as const
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'

type Metadata = Record<string, unknown>

const servers: TestServer[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function startServer(issuer?: string): Promise<TestServer> {
  const server = await createTestServer(issuer ? { config: { issuer } } : {})
  servers.push(server)
  return server
}

async function metadata(server: TestServer, path: string): Promise<Metadata> {
  const response = await server.app.inject({ method: 'GET', url: path })
  expect(response.statusCode).toBe(200)
  expect(response.headers['content-type']).toMatch(/^application\/json\b/)
  return response.json() as Metadata
}

/**
 * The path an advertised URL reaches inside the app. The issuer is the base URL as clients see it;
 * with a path (`https://host/tenant`) a proxy mounts Tessera under that prefix.
 */
function routeOf(issuer: string, url: string): string {
  const base = issuer.replace(/\/$/, '')
  expect(url.startsWith(`${base}/`), `${url} is under the issuer ${issuer}`).toBe(true)
  return url.slice(base.length)
}

/** Every metadata member that names an endpoint. */
function advertisedEndpoints(document: Metadata): [string, string][] {
  return Object.entries(document)
    .filter(([name]) => name.endsWith('_endpoint') || name === 'jwks_uri')
    .map(([name, value]) => [name, value as string])
}

for (const issuer of ['https://id.example.test', 'https://id.example.test/tenant', 'https://id.example.test/tenant/']) {
  describe(`discovery metadata with issuer ${issuer}`, () => {
    it('serves the same document at both well-known paths', async () => {
      const server = await startServer(issuer)
      const [oauth, openid] = await Promise.all(METADATA_PATHS.map((path) => metadata(server, path)))
      expect(openid).toEqual(oauth)
    })

    it('names the configured issuer exactly (RFC 8414 §3.3)', async () => {
      const server = await startServer(issuer)
      for (const path of METADATA_PATHS) expect((await metadata(server, path)).issuer).toBe(issuer)
    })

    it('issues tokens whose iss is the advertised issuer', async () => {
      const server = await startServer(issuer)
      const { apis, applications, tokens } = server.tessera.services
      await apis.create({ identifier: 'https://api.example.test', name: 'Orders', mode: 'jwt', scopes: [] }, { kind: 'cli' })
      const { application } = await applications.create(
        { name: 'Worker', type: 'm2m', apis: ['https://api.example.test'] },
        { kind: 'cli' },
      )
      const issued = await tokens.clientCredentials(application, { resource: ['https://api.example.test'], scope: undefined })
      expect(decodeJwt(issued.access_token).iss).toBe((await metadata(server, METADATA_PATHS[1])).issuer)
    })

    it('advertises only endpoints that exist', async () => {
      const server = await startServer(issuer)
      const document = await metadata(server, METADATA_PATHS[0])
      const endpoints = Object.fromEntries(advertisedEndpoints(document))
      expect(Object.keys(endpoints)).toEqual(
        expect.arrayContaining([
          'introspection_endpoint',
          'jwks_uri',
          'revocation_endpoint',
          'token_endpoint',
          'authorization_endpoint',
          'userinfo_endpoint',
          'end_session_endpoint',
          'device_authorization_endpoint',
        ]),
      )

      const jwks = await server.app.inject({ method: 'GET', url: routeOf(issuer, endpoints.jwks_uri as string) })
      expect(jwks.statusCode).toBe(200)
      expect((jwks.json() as { keys: unknown[] }).keys.length).toBeGreaterThan(0)

      for (const name of [
        'token_endpoint',
        'revocation_endpoint',
        'introspection_endpoint',
        'pushed_authorization_request_endpoint',
        'device_authorization_endpoint',
      ]) {
        const response = await server.app.inject({
          method: 'POST',
          url: routeOf(issuer, endpoints[name] as string),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: name === 'token_endpoint' ? 'grant_type=client_credentials' : 'token=abc',
        })
        expect(response.statusCode, name).not.toBe(404)
        expect([400, 401], name).toContain(response.statusCode)
        expect(response.json(), name).toMatchObject({ error: expect.stringMatching(/^(invalid_client|invalid_request)$/) })
      }

      // Anything else advertised (Tessera's own extensions) answers too, if only to refuse a stranger.
      const oauth = [
        'jwks_uri',
        'token_endpoint',
        'revocation_endpoint',
        'introspection_endpoint',
        'pushed_authorization_request_endpoint',
        'device_authorization_endpoint',
      ]
      for (const [name, url] of Object.entries(endpoints).filter(([name]) => !oauth.includes(name))) {
        const response = await server.app.inject({ method: 'GET', url: routeOf(issuer, url) })
        expect(response.statusCode, name).not.toBe(404)
        expect(response.statusCode, name).toBeLessThan(500)
      }
    })
  })
}

describe('discovery metadata: what is advertised', () => {
  it('advertises exactly the grant types the token endpoint implements', async () => {
    const server = await startServer()
    const document = await metadata(server, METADATA_PATHS[0])
    const grants = document.grant_types_supported as string[]
    expect([...grants].sort()).toEqual(
      [TOKEN_EXCHANGE, 'authorization_code', 'client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'].sort(),
    )
    for (const missing of ['implicit', 'password']) expect(grants).not.toContain(missing)
    // OAuth 2.1: the code flow only, with S256 PKCE; never `token` or a hybrid response type.
    expect(document.response_types_supported).toEqual(['code'])
    expect(document.code_challenge_methods_supported).toEqual(['S256'])
    expect(document.authorization_response_iss_parameter_supported).toBe(true)
  })

  it('advertises client_secret_basic, client_secret_post and none at the token endpoint', async () => {
    const server = await startServer()
    const document = await metadata(server, METADATA_PATHS[0])
    expect([...(document.token_endpoint_auth_methods_supported as string[])].sort()).toEqual(
      ['client_secret_basic', 'client_secret_post', 'none'].sort(),
    )
    // RFC 7662 §2.1: introspection needs an authenticated client, so `none` is not offered there.
    expect(document.introspection_endpoint_auth_methods_supported as string[]).not.toContain('none')
  })

  it("advertises Tessera's acr values, weakest first, and the acr and amr claims (OIDC Discovery §3)", async () => {
    const server = await startServer()
    const document = await metadata(server, METADATA_PATHS[0])
    expect(document.acr_values_supported).toEqual(['urn:tessera:acr:sfa', 'urn:tessera:acr:mfa', 'urn:tessera:acr:phr'])
    expect(document.claims_supported).toEqual(expect.arrayContaining(['acr', 'amr', 'auth_time']))
  })

  it('advertises exactly the signing algorithms of the allow-list', async () => {
    const server = await startServer()
    const document = await metadata(server, METADATA_PATHS[0])
    expect([...(document.access_token_signing_alg_values_supported as string[])].sort()).toEqual(['ES256', 'EdDSA', 'PS256', 'RS256'])
  })

  it('refuses every grant type it does not advertise with unsupported_grant_type', async () => {
    const server = await startServer()
    const { clientSecret, application } = await server.tessera.services.applications.create(
      { name: 'Web', type: 'web', grants: ['refresh_token'] },
      { kind: 'cli' },
    )
    const basic = `Basic ${Buffer.from(`${application.id}:${clientSecret}`).toString('base64')}`
    for (const grant of [
      'implicit',
      'password',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      'urn:ietf:params:oauth:grant-type:saml2-bearer',
    ]) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: grant }).toString(),
      })
      expect(response.statusCode, grant).toBe(400)
      expect(response.json(), grant).toMatchObject({ error: 'unsupported_grant_type' })
    }
    // An advertised grant the client is not registered for is unauthorized_client instead.
    for (const grant of ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code']) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: grant }).toString(),
      })
      expect(response.json(), grant).toMatchObject({ error: 'unauthorized_client' })
    }
  })
})
