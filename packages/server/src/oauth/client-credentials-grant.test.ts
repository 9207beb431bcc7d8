import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { injectFetch } from '../../test/inject-fetch.js'
import {
  ACCESS_TOKEN_TYPE,
  API,
  createApi,
  createClient,
  ISSUER,
  post,
  SESSION_TOKEN_TYPE,
  serve,
  TOKEN_EXCHANGE,
} from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { expectOAuthError, OPAQUE_TOKEN, verifyAsResourceServer, world } from '../../test/token-endpoint-fixture.js'

for (const dialect of DIALECTS) {
  describe.concurrent(`client credentials on ${dialect}`, () => {
    it('issues an m2m client a JWT about itself, bound to no session', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server)
      const m2m = await createClient(server, { type: 'm2m', grants: ['client_credentials'], scopes: ['read'] })
      const response = await post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API }, m2m)
      expect(response.statusCode, response.body).toBe(200)
      expect(response.headers['cache-control']).toBe('no-store')
      const body = response.json()
      expect(body).toMatchObject({ token_type: 'Bearer', scope: 'read', expires_in: expect.any(Number) })
      expect(body.refresh_token).toBeUndefined()
      const { payload } = await verifyAsResourceServer(server, body.access_token)
      expect(payload).toMatchObject({ sub: m2m.id, client_id: m2m.id, aud: API, scope: 'read' })
      expect(payload.sid).toBeUndefined()
      expect(payload.tessera_tv).toBeUndefined()
    })

    it('refuses client credentials to a web client and to a public client with unauthorized_client', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server)
      const web = await createClient(server)
      const spa = await createClient(server, { type: 'spa' })
      for (const client of [web, spa]) {
        expectOAuthError(
          await post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API }, client),
          400,
          'unauthorized_client',
        )
      }
    })

    it('serves client credentials to oauth4webapi, discovered through the authorization server metadata', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server)
      const m2m = await createClient(server, { type: 'm2m', grants: ['client_credentials'], scopes: ['read', 'write'] })
      const options = { [oauth.customFetch]: injectFetch(server.app), [oauth.allowInsecureRequests]: true }
      const issuer = new URL(ISSUER)
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }))
      const client: oauth.Client = { client_id: m2m.id }
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.ClientSecretBasic(m2m.secret as string),
        new URLSearchParams({ resource: API, scope: 'read' }),
        options,
      )
      const result = await oauth.processClientCredentialsResponse(as, client, response)
      expect(result.token_type).toBe('bearer')
      expect(result.scope).toBe('read')
      const { payload } = await verifyAsResourceServer(server, result.access_token)
      expect(payload.sub).toBe(m2m.id)

      // A wrong secret is an OAuth error oauth4webapi recognises, with the challenge it expects.
      const refused = await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.ClientSecretBasic('wrong'),
        new URLSearchParams({ resource: API }),
        options,
      )
      await expect(oauth.processClientCredentialsResponse(as, client, refused)).rejects.toMatchObject({ status: 401 })
    })

    it('serves token exchange and refresh to oauth4webapi', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client: web, user } = await world(server)
      const options = { [oauth.customFetch]: injectFetch(server.app), [oauth.allowInsecureRequests]: true }
      const issuer = new URL(ISSUER)
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { ...options, algorithm: 'oauth2' }))
      const client: oauth.Client = { client_id: web.id }
      const auth = oauth.ClientSecretPost(web.secret as string)
      const exchanged = await oauth.processGenericTokenEndpointResponse(
        as,
        client,
        await oauth.genericTokenEndpointRequest(
          as,
          client,
          auth,
          TOKEN_EXCHANGE,
          { subject_token: user.token, subject_token_type: SESSION_TOKEN_TYPE, resource: API },
          options,
        ),
      )
      expect(exchanged.issued_token_type).toBe(ACCESS_TOKEN_TYPE)
      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, auth, exchanged.refresh_token as string, options),
      )
      expect(refreshed.refresh_token).toMatch(OPAQUE_TOKEN)
      expect(refreshed.refresh_token).not.toBe(exchanged.refresh_token)
      expect((await verifyAsResourceServer(server, refreshed.access_token)).payload.sid).toBe(user.sessionId)
    })
  })
}
