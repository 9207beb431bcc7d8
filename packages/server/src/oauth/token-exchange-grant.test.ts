import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  ACCESS_TOKEN_TYPE,
  API,
  createApi,
  createClient,
  createUser,
  exchange,
  ISSUER,
  type Params,
  post,
  refresh,
  SESSION_TOKEN_TYPE,
  serve,
  TOKEN_EXCHANGE,
  tokensFor,
} from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { countRows, expectOAuthError, OPAQUE_TOKEN, verifyAsResourceServer, world } from '../../test/token-endpoint-fixture.js'

for (const dialect of DIALECTS) {
  describe.concurrent(`token exchange on ${dialect}`, () => {
    it('trades a session for an RFC 9068 access token that verifies with jose against the published JWKS, and a refresh token', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const response = await exchange(server, client, user.token)
      expect(response.statusCode, response.body).toBe(200)
      expect(response.headers['cache-control']).toBe('no-store')
      const body = response.json()
      expect(body).toMatchObject({ token_type: 'Bearer', issued_token_type: ACCESS_TOKEN_TYPE, scope: 'read write' })
      expect(body.expires_in).toBeGreaterThan(0)
      expect(body.expires_in).toBeLessThanOrEqual(server.tessera.config.tokens.maxAccessTokenTtl)
      expect(body.refresh_token).toMatch(OPAQUE_TOKEN)

      const { payload, protectedHeader } = await verifyAsResourceServer(server, body.access_token)
      expect(protectedHeader).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) })
      expect(payload).toMatchObject({
        iss: ISSUER,
        aud: API,
        sub: user.id,
        sid: user.sessionId,
        client_id: client.id,
        scope: 'read write',
        auth_time: expect.any(Number),
        // RFC 9470 §6: how the session authenticated; a password alone is one factor.
        acr: 'urn:tessera:acr:sfa',
        amr: ['pwd'],
        tessera_tv: 1,
      })
      expect(payload.exp).toBe((payload.iat as number) + body.expires_in)
      // No personal data: the token names the user by id only.
      expect(JSON.stringify(payload)).not.toContain('ann@example.com')
      expect(Object.keys(payload).sort()).toEqual(
        ['acr', 'amr', 'aud', 'auth_time', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sid', 'sub', 'tessera_tv'].sort(),
      )
    })

    it('says a session proved by two factors is mfa, and a refresh keeps the session values', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      // The session the login flow's second_factor step starts after a password and a TOTP code.
      const signedIn = await server.tessera.services.auth.startSession(
        user.id,
        ['pwd', 'otp', 'mfa'],
        { userAgent: null, ip: null },
        'sign_in',
      )
      const response = await exchange(server, client, signedIn.token)
      expect(response.statusCode, response.body).toBe(200)
      const { payload } = await verifyAsResourceServer(server, response.json().access_token)
      expect(payload).toMatchObject({ acr: 'urn:tessera:acr:mfa', amr: ['pwd', 'otp', 'mfa'], sid: signedIn.session.id })
      const authTime = payload.auth_time
      server.clock.advance(60_000)
      const refreshed = await refresh(server, client, response.json().refresh_token)
      expect(refreshed.statusCode, refreshed.body).toBe(200)
      const again = decodeJwt(refreshed.json().access_token)
      expect(again).toMatchObject({ acr: 'urn:tessera:acr:mfa', amr: ['pwd', 'otp', 'mfa'], auth_time: authTime })
      // The password-only session of the same user stays sfa.
      const single = await verifyAsResourceServer(server, (await exchange(server, client, user.token)).json().access_token)
      expect(single.payload.acr).toBe('urn:tessera:acr:sfa')
    })

    it('grants everything the application is allowed that the API defines, or exactly the subset asked for', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server)
      // The app may hold "delete", which the API does not define: it never appears in a token.
      const client = await createClient(server, { scopes: ['read', 'admin', 'delete'] })
      const user = await createUser(server)
      const all = await tokensFor(server, client, user)
      expect(all.scope.split(' ').sort()).toEqual(['admin', 'read'])
      expect(decodeJwt(all.access_token).scope).toBe(all.scope)
      const subset = await tokensFor(server, client, user, { scope: 'admin' })
      expect(subset.scope).toBe('admin')
      expect(decodeJwt(subset.access_token).scope).toBe('admin')
    })

    it('refuses a scope the application is not allowed with invalid_scope, and issues nothing', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const before = await countRows(server)
      expectOAuthError(await exchange(server, client, user.token, { scope: 'read admin' }), 400, 'invalid_scope')
      expectOAuthError(await exchange(server, client, user.token, { scope: 'unknown' }), 400, 'invalid_scope')
      expect(await countRows(server)).toEqual(before)
    })

    it('refuses an unknown, missing, not allowed or repeated resource with invalid_target', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      await createApi(server, 'https://elsewhere.example.test')
      const before = await countRows(server)
      const params = { grant_type: TOKEN_EXCHANGE, subject_token: user.token, subject_token_type: SESSION_TOKEN_TYPE }
      const cases: Params[] = [
        { ...params, resource: 'https://unknown.example.test' },
        params,
        { ...params, resource: 'https://elsewhere.example.test' },
        [...Object.entries(params), ['resource', API], ['resource', 'https://elsewhere.example.test']],
        [...Object.entries(params), ['resource', API], ['resource', API]],
      ]
      for (const each of cases) expectOAuthError(await post(server, '/oauth/token', each, client), 400, 'invalid_target')
      expect(await countRows(server)).toEqual(before)
    })

    it('refuses a signed-out session, and a session past its idle timeout, with invalid_grant', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const other = await createUser(server, 'bob@example.com')
      const signOut = await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization: `Bearer ${user.token}` } })
      expect(signOut.statusCode).toBe(204)
      expectOAuthError(await exchange(server, client, user.token), 400, 'invalid_grant')
      server.clock.advance(server.tessera.config.session.idleTimeout * 1000)
      expectOAuthError(await exchange(server, client, other.token), 400, 'invalid_grant')
    })

    it('refuses a malformed or forged subject token with invalid_grant', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const [id] = user.token.split('.')
      for (const subject of ['not-a-token', `${id}.${'A'.repeat(43)}`, `${user.token}x`, 'a.b.c']) {
        const response = await exchange(server, client, subject)
        expectOAuthError(response, 400, 'invalid_grant')
        expect(response.body).not.toContain(subject)
      }
    })

    it('refuses a subject token type other than a Tessera session with invalid_request', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      expectOAuthError(await exchange(server, client, user.token, { subject_token_type: ACCESS_TOKEN_TYPE }), 400, 'invalid_request')
      const missing = await post(server, '/oauth/token', { grant_type: TOKEN_EXCHANGE, subject_token: user.token, resource: API }, client)
      expectOAuthError(missing, 400, 'invalid_request')
    })

    it('refuses a client without the token-exchange grant with unauthorized_client', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server)
      const client = await createClient(server, { grants: ['refresh_token'] })
      const user = await createUser(server)
      expectOAuthError(await exchange(server, client, user.token), 400, 'unauthorized_client')
    })

    it('lets a public client exchange a session without a secret, and omits the refresh token for a client without that grant', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server)
      const spa = await createClient(server, { type: 'spa', grants: ['token_exchange'] })
      expect(spa.secret).toBeNull()
      const user = await createUser(server)
      const response = await exchange(server, spa, user.token)
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json().refresh_token).toBeUndefined()
      expect(decodeJwt(response.json().access_token).client_id).toBe(spa.id)
    })
  })
}
