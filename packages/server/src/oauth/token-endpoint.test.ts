import type { LightMyRequestResponse } from 'fastify'
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import { injectFetch } from '../../test/inject-fetch.js'
import {
  ACCESS_TOKEN_TYPE,
  API,
  basic,
  CLI,
  createApi,
  createClient,
  createUser,
  exchange,
  ISSUER,
  introspect,
  type Params,
  post,
  refresh,
  SESSION_API,
  SESSION_TOKEN_TYPE,
  serve,
  TOKEN_EXCHANGE,
  tokensFor,
} from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import type { TestServer } from '../../test/test-server.js'
import { sha256 } from '../shared/digest.js'

const OPAQUE_TOKEN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/
const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'jti', 'sub', 'client_id', 'scope']

/** An API (scopes read, write, admin), a web client allowed read and write on it, and a signed-in user holding every permission. */
async function world(server: TestServer) {
  await createApi(server)
  const client = await createClient(server)
  const user = await createUser(server)
  return { client, user }
}

/** Asserts an RFC 6749 §5.2 error: its status, its `error`, and that it is never a server error. */
function expectOAuthError(response: LightMyRequestResponse, status: number, error: string): void {
  expect(response.statusCode, response.body).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/json/)
  expect(response.headers['cache-control']).toBe('no-store')
  const body = response.json()
  expect(body.error).toBe(error)
  for (const member of Object.keys(body)) expect(['error', 'error_description']).toContain(member)
}

async function jwksOf(server: TestServer) {
  const response = await server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
  expect(response.statusCode).toBe(200)
  return createLocalJWKSet(response.json() as JSONWebKeySet)
}

/** Verifies an access token as any resource server would: jose, the published JWKS, RFC 9068 checks. */
async function verifyAsResourceServer(server: TestServer, token: string, audience = API) {
  return jwtVerify(token, await jwksOf(server), {
    issuer: ISSUER,
    audience,
    typ: 'at+jwt',
    requiredClaims: REQUIRED_CLAIMS,
    currentDate: new Date(server.clock.now()),
  })
}

/** The client's row of the failure throttle (oauth/client-authentication.ts), if any. */
function clientThrottle(server: TestServer, clientId: string) {
  return server.tessera.database.db
    .selectFrom('sign_in_throttle')
    .select(['failures', 'locked_until', 'updated_at'])
    .where('key', '=', sha256(`client:${clientId}`))
    .executeTakeFirst()
}

async function countRows(server: TestServer) {
  const db = server.tessera.database.db
  const count = async (table: 'refresh_tokens' | 'access_tokens' | 'revocation_log' | 'event_outbox' | 'sessions') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  return {
    refreshTokens: await count('refresh_tokens'),
    accessTokens: await count('access_tokens'),
    revocations: await count('revocation_log'),
    events: await count('event_outbox'),
    sessions: await count('sessions'),
  }
}

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

  describe.concurrent(`refresh tokens on ${dialect}`, () => {
    it('rotates on every use, and a replay within the grace window gets the same single successor', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const first = (await tokensFor(server, client, user)).refresh_token
      const rotated = await refresh(server, client, first)
      expect(rotated.statusCode, rotated.body).toBe(200)
      expect(rotated.headers['cache-control']).toBe('no-store')
      const second = rotated.json().refresh_token as string
      expect(second).toMatch(OPAQUE_TOKEN)
      expect(second).not.toBe(first)
      await verifyAsResourceServer(server, rotated.json().access_token)

      server.clock.advance(4_000) // inside the default 5 s grace window
      const replay = await refresh(server, client, first)
      expect(replay.statusCode, replay.body).toBe(200)
      expect(replay.json().refresh_token).toBe(second)

      const third = await refresh(server, client, second)
      expect(third.statusCode, third.body).toBe(200)
      expect(third.json().refresh_token).not.toBe(second)
      expect(third.json().refresh_token).not.toBe(first)
    })

    it('revokes the whole family, and the access tokens issued with it, when a rotated token is replayed after the grace window', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const initial = await tokensFor(server, client, user)
      const rotated = await refresh(server, client, initial.refresh_token)
      expect(rotated.statusCode).toBe(200)
      const successor = rotated.json().refresh_token as string
      const accessTokens = [initial.access_token, rotated.json().access_token as string]
      for (const token of accessTokens) expect((await introspect(server, client, token)).json().active).toBe(true)

      server.clock.advance(server.tessera.config.tokens.refreshGracePeriod * 1000 + 1)
      expectOAuthError(await refresh(server, client, initial.refresh_token), 400, 'invalid_grant')
      // The legitimate holder's successor dies with the family (RFC 9700 §4.14.2).
      expectOAuthError(await refresh(server, client, successor), 400, 'invalid_grant')
      for (const token of accessTokens) expect((await introspect(server, client, token)).json()).toEqual({ active: false })

      const log = await server.tessera.stores.revocations.listAfter(0, 100)
      const revokedJtis = log.flatMap((each) => (each.entry.kind === 'access_token' ? [each.entry.jti] : []))
      expect(revokedJtis.sort()).toEqual(accessTokens.map((token) => decodeJwt(token).jti).sort())
      const events = await server.tessera.stores.events.listAfter(0, 1000)
      const reused = events.filter((event) => event.type === 'refresh_token.reused')
      expect(reused).toHaveLength(1)
      expect(reused[0]?.userId).toBe(user.id)
      expect(JSON.stringify(reused[0]?.payload)).not.toContain(initial.refresh_token.split('.')[1])
    })

    it('treats a replay after the successor was itself used as reuse, even within the grace window', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const first = (await tokensFor(server, client, user)).refresh_token
      const second = (await refresh(server, client, first)).json().refresh_token as string
      const third = await refresh(server, client, second)
      expect(third.statusCode).toBe(200)
      expectOAuthError(await refresh(server, client, first), 400, 'invalid_grant')
      expectOAuthError(await refresh(server, client, third.json().refresh_token), 400, 'invalid_grant')
    })

    it('never widens the scope on refresh, and a refused request leaves the token usable', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const initial = await tokensFor(server, client, user, { scope: 'read' })
      expectOAuthError(await refresh(server, client, initial.refresh_token, { scope: 'read write' }), 400, 'invalid_scope')
      expectOAuthError(await refresh(server, client, initial.refresh_token, { scope: 'admin' }), 400, 'invalid_scope')
      const same = await refresh(server, client, initial.refresh_token)
      expect(same.statusCode, same.body).toBe(200)
      expect(same.json().scope).toBe('read')
    })

    it('narrows the scope on request, and the narrower scope sticks to the family', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const initial = await tokensFor(server, client, user)
      expect(initial.scope).toBe('read write')
      const narrowed = await refresh(server, client, initial.refresh_token, { scope: 'read' })
      expect(narrowed.statusCode, narrowed.body).toBe(200)
      expect(narrowed.json().scope).toBe('read')
      expect(decodeJwt(narrowed.json().access_token).scope).toBe('read')
      const next = narrowed.json().refresh_token as string
      expectOAuthError(await refresh(server, client, next, { scope: 'write' }), 400, 'invalid_scope')
      const again = await refresh(server, client, next)
      expect(again.json().scope).toBe('read')
    })

    it('refuses a refresh token presented by another client, and leaves it usable by its own', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const thief = await createClient(server)
      const initial = await tokensFor(server, client, user)
      expectOAuthError(await refresh(server, thief, initial.refresh_token), 400, 'invalid_grant')
      expect((await refresh(server, client, initial.refresh_token)).statusCode).toBe(200)
    })

    it('refuses a refresh for another resource with invalid_target', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      await createApi(server, 'https://elsewhere.example.test')
      const initial = await tokensFor(server, client, user)
      expectOAuthError(
        await refresh(server, client, initial.refresh_token, { resource: 'https://elsewhere.example.test' }),
        400,
        'invalid_target',
      )
      expect((await refresh(server, client, initial.refresh_token, { resource: API })).statusCode).toBe(200)
    })

    it('refuses a refresh once its session is signed out, or its user disabled', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const other = await createUser(server, 'bob@example.com')
      const signedOut = await tokensFor(server, client, user)
      const disabled = await tokensFor(server, client, other)
      await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization: `Bearer ${user.token}` } })
      expectOAuthError(await refresh(server, client, signedOut.refresh_token), 400, 'invalid_grant')
      await server.tessera.services.users.disable(other.id, CLI)
      expectOAuthError(await refresh(server, client, disabled.refresh_token), 400, 'invalid_grant')
    })

    it('consumes nothing when it refuses a refresh, so a retry is not taken for reuse (issue 3)', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const initial = await tokensFor(server, client, user)
      await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization: `Bearer ${user.token}` } })
      const before = await countRows(server)
      for (let attempt = 0; attempt < 2; attempt++) {
        const response = await refresh(server, client, initial.refresh_token)
        expectOAuthError(response, 400, 'invalid_grant')
      }
      expect(await countRows(server)).toEqual(before)
      const row = await server.tessera.database.db
        .selectFrom('refresh_tokens')
        .select(['used_at', 'revoked_at'])
        .where('id', '=', initial.refresh_token.split('.')[0] as string)
        .executeTakeFirstOrThrow()
      expect(row).toEqual({ used_at: null, revoked_at: null })
    })

    it('refuses a malformed or unknown refresh token with invalid_grant', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const initial = await tokensFor(server, client, user)
      const [id] = initial.refresh_token.split('.')
      for (const token of ['garbage', `${id}.${'A'.repeat(43)}`, `${'B'.repeat(22)}.${'A'.repeat(43)}`, initial.access_token]) {
        expectOAuthError(await refresh(server, client, token), 400, 'invalid_grant')
      }
      expectOAuthError(await post(server, '/oauth/token', { grant_type: 'refresh_token' }, client), 400, 'invalid_request')
    })

    it('lets a refresh token die after its idle lifetime, renewed by each rotation', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect, { tokens: { refreshTokenIdleTtl: 600 } })
      const { client, user } = await world(server)
      const first = (await tokensFor(server, client, user)).refresh_token
      server.clock.advance(599_000)
      const second = await refresh(server, client, first)
      expect(second.statusCode, second.body).toBe(200)
      server.clock.advance(599_000)
      const third = await refresh(server, client, second.json().refresh_token)
      expect(third.statusCode, third.body).toBe(200)
      server.clock.advance(600_000)
      expectOAuthError(await refresh(server, client, third.json().refresh_token), 400, 'invalid_grant')
    })

    it('lets a refresh family die at its absolute lifetime however active it is', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect, { tokens: { refreshTokenIdleTtl: 600, refreshTokenAbsoluteTtl: 1000 } })
      const { client, user } = await world(server)
      let token = (await tokensFor(server, client, user)).refresh_token
      for (const step of [500_000, 499_000]) {
        server.clock.advance(step)
        const response = await refresh(server, client, token)
        expect(response.statusCode, response.body).toBe(200)
        token = response.json().refresh_token
      }
      server.clock.advance(1_000) // 1000 s after the family began
      expectOAuthError(await refresh(server, client, token), 400, 'invalid_grant')
    })

    it('rotates once when ten refreshes with the same token race: all get the same successor, and one successor row exists', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const first = (await tokensFor(server, client, user)).refresh_token
      const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(server, client, first)))
      for (const response of responses) expect(response.statusCode, response.body).toBe(200)
      const successors = new Set(responses.map((response) => response.json().refresh_token as string))
      expect(successors.size).toBe(1)
      const [successor] = [...successors] as [string]
      expect(successor).not.toBe(first)
      const rows = await server.tessera.database.db
        .selectFrom('refresh_tokens')
        .selectAll()
        .where('parent_id', '=', first.split('.')[0] as string)
        .execute()
      expect(rows).toHaveLength(1)
      expect(rows[0]?.id).toBe(successor.split('.')[0])
      // The successor works, and the family is intact.
      expect((await refresh(server, client, successor)).statusCode).toBe(200)
    })
    it('revokes the successor of a rotation that races with reuse detection, and its access token (issue 3)', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      // On PostgreSQL the rotation's successor was committed after the revoking statement's
      // snapshot and survived; several rounds make the interleaving near certain.
      for (let round = 0; round < 5; round++) {
        const initial = await tokensFor(server, client, user)
        const current = (await refresh(server, client, initial.refresh_token)).json().refresh_token as string
        server.clock.advance(server.tessera.config.tokens.refreshGracePeriod * 1000 + 1)
        const [rotation, replay] = await Promise.all([refresh(server, client, current), refresh(server, client, initial.refresh_token)])
        expectOAuthError(replay, 400, 'invalid_grant')
        if (rotation.statusCode === 200) {
          expectOAuthError(await refresh(server, client, rotation.json().refresh_token), 400, 'invalid_grant')
          expect((await introspect(server, client, rotation.json().access_token)).json()).toEqual({ active: false })
        } else {
          expectOAuthError(rotation, 400, 'invalid_grant')
        }
      }
    })

    it('refuses ten concurrent replays of a rotated token after the grace window, without a server error', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const first = (await tokensFor(server, client, user)).refresh_token
      const second = (await refresh(server, client, first)).json().refresh_token as string
      server.clock.advance(server.tessera.config.tokens.refreshGracePeriod * 1000 + 1)
      const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(server, client, first)))
      for (const response of responses) expectOAuthError(response, 400, 'invalid_grant')
      expectOAuthError(await refresh(server, client, second), 400, 'invalid_grant')
    })
  })

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

  describe.concurrent(`session-mode APIs on ${dialect}`, () => {
    it('issues an opaque reference token that the API’s resource server sees active by introspection', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server, SESSION_API, 'session')
      const client = await createClient(server, { apis: [SESSION_API] })
      const resourceServer = await createClient(server, { type: 'resource-server', grants: [], apis: [SESSION_API], scopes: [] })
      const user = await createUser(server)
      const response = await exchange(server, client, user.token, { resource: SESSION_API })
      expect(response.statusCode, response.body).toBe(200)
      const body = response.json()
      expect(body.access_token).toMatch(OPAQUE_TOKEN)
      expect(() => decodeProtectedHeader(body.access_token)).toThrow()
      const seen = await introspect(server, resourceServer, body.access_token)
      expect(seen.statusCode).toBe(200)
      expect(seen.json()).toMatchObject({
        active: true,
        iss: ISSUER,
        sub: user.id,
        aud: SESSION_API,
        client_id: client.id,
        scope: 'read write',
        sid: user.sessionId,
        jti: body.access_token.split('.')[0],
      })
      const refreshed = await refresh(server, client, body.refresh_token)
      expect(refreshed.json().access_token).toMatch(OPAQUE_TOKEN)
      expect((await introspect(server, resourceServer, refreshed.json().access_token)).json().active).toBe(true)
    })
  })

  describe.concurrent(`bad input at the token endpoint on ${dialect}`, () => {
    /** Sends `request` and asserts the error, and that nothing was issued, revoked or recorded. */
    async function expectRefusedWithoutChange(
      server: TestServer,
      request: () => Promise<LightMyRequestResponse>,
      status: number,
      error: string,
    ) {
      const before = await countRows(server)
      expectOAuthError(await request(), status, error)
      expect(await countRows(server)).toEqual(before)
    }

    it('refuses a repeated parameter with invalid_request', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const params: [string, string][] = [
        ['grant_type', TOKEN_EXCHANGE],
        ['grant_type', TOKEN_EXCHANGE],
        ['subject_token', user.token],
        ['subject_token_type', SESSION_TOKEN_TYPE],
        ['resource', API],
      ]
      await expectRefusedWithoutChange(server, () => post(server, '/oauth/token', params, client), 400, 'invalid_request')
      const scopeTwice: [string, string][] = [...params.slice(1), ['scope', 'read'], ['scope', 'write']]
      await expectRefusedWithoutChange(server, () => post(server, '/oauth/token', scopeTwice, client), 400, 'invalid_request')
    })

    it('refuses a JSON body, an empty body and a body of another media type with invalid_request', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const payload = { grant_type: TOKEN_EXCHANGE, subject_token: user.token, subject_token_type: SESSION_TOKEN_TYPE, resource: API }
      const json = () =>
        server.app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { authorization: basic(client), 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        })
      await expectRefusedWithoutChange(server, json, 400, 'invalid_request')
      const noBody = () => server.app.inject({ method: 'POST', url: '/oauth/token', headers: { authorization: basic(client) } })
      await expectRefusedWithoutChange(server, noBody, 400, 'invalid_request')
      const text = () =>
        server.app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { authorization: basic(client), 'content-type': 'text/plain' },
          payload: 'grant_type=client_credentials',
        })
      await expectRefusedWithoutChange(server, text, 400, 'invalid_request')
    })

    it('refuses an unknown grant type with unsupported_grant_type, and a missing one with invalid_request', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client } = await world(server)
      // The dispatch is a table keyed by grant_type: names of Object.prototype must not reach it.
      for (const grant of ['password', 'implicit', 'urn:example:unknown', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        await expectRefusedWithoutChange(
          server,
          () => post(server, '/oauth/token', { grant_type: grant }, client),
          400,
          'unsupported_grant_type',
        )
      }
      await expectRefusedWithoutChange(server, () => post(server, '/oauth/token', { resource: API }, client), 400, 'invalid_request')
    })

    it('refuses a wrong client secret with 401 invalid_client and a Basic challenge', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const before = await countRows(server)
      const response = await exchange(server, { id: client.id, secret: 'wrong-secret-7f3a' }, user.token)
      expectOAuthError(response, 401, 'invalid_client')
      expect(response.headers['www-authenticate']).toBe('Basic realm="tessera"')
      // Never a secret or a token in an error.
      expect(response.body).not.toContain('wrong-secret-7f3a')
      expect(response.body).not.toContain(user.token.split('.')[1])
      expect(await countRows(server)).toEqual(before)
      const unknown = await exchange(server, { id: 'no-such-client', secret: 'wrong' }, user.token)
      expectOAuthError(unknown, 401, 'invalid_client')
      const none = await post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API }, null)
      expectOAuthError(none, 401, 'invalid_client')
      expect(none.headers['www-authenticate']).toBe('Basic realm="tessera"')
    })

    it('throttles a client’s wrong secrets after its free failures: 429 with Retry-After, uncounted, while its right secret still works', async ({
      onTestFinished,
    }) => {
      // Issue 17: the right secret is no longer refused during a lockout (docs/tokens.md "Client
      // authentication and throttling"); before, it got the same 429 as a wrong one.
      const server = await serve(onTestFinished, dialect, { signIn: { freeFailures: 3 } })
      const { client, user } = await world(server)
      for (let attempt = 0; attempt < 3; attempt++) {
        expectOAuthError(await exchange(server, { id: client.id, secret: `wrong-${attempt}` }, user.token), 401, 'invalid_client')
      }
      const locked = await clientThrottle(server, client.id)
      expect(locked).toMatchObject({ failures: 3 })
      expect(locked?.locked_until).toBeGreaterThan(server.clock.now())
      const before = await countRows(server)
      // During the lockout a wrong secret learns nothing: 429 as before, and it is not counted.
      const throttled = await exchange(server, { id: client.id, secret: 'wrong-during-lockout' }, user.token)
      expect(throttled.statusCode, throttled.body).toBe(429)
      expect(throttled.json().error).toBe('invalid_client')
      expect(throttled.body).not.toContain('wrong-during-lockout')
      const retryAfter = Number(throttled.headers['retry-after'])
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(await countRows(server)).toEqual(before)
      expect(await clientThrottle(server, client.id)).toEqual(locked)
      // The right secret is served at once, and neither reads nor clears the count.
      const served = await exchange(server, client, user.token)
      expect(served.statusCode, served.body).toBe(200)
      expect(await clientThrottle(server, client.id)).toEqual(locked)
      // Once the wait is over, the next wrong secret is counted and locks again, for twice as long.
      server.clock.advance(retryAfter * 1000)
      expectOAuthError(await exchange(server, { id: client.id, secret: 'wrong-after' }, user.token), 401, 'invalid_client')
      const relocked = await clientThrottle(server, client.id)
      expect(relocked?.failures).toBe(4)
      expect((relocked?.locked_until ?? 0) - server.clock.now()).toBe(2 * ((locked?.locked_until ?? 0) - (locked?.updated_at ?? 0)))
      expect((await exchange(server, client, user.token)).statusCode).toBe(200)
    })

    it('throttles an unknown client id like a known one, and never a public client', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect, { signIn: { freeFailures: 2 } })
      await world(server)
      const unknown = { id: 'no-such-client', secret: 'guess' }
      for (let attempt = 0; attempt < 2; attempt++)
        expectOAuthError(
          await post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API }, unknown),
          401,
          'invalid_client',
        )
      const throttled = await post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API }, unknown)
      expect(throttled.statusCode, throttled.body).toBe(429)
      expect(throttled.json().error).toBe('invalid_client')
      // A public client has no secret to guess: its failures are not counted, so nobody can lock it out.
      const spa = await createClient(server, { type: 'spa' })
      for (let attempt = 0; attempt < 4; attempt++) {
        expectOAuthError(
          await post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API }, { id: spa.id, secret: 'x' }),
          401,
          'invalid_client',
        )
      }
      expect(await clientThrottle(server, spa.id)).toBeUndefined()
    })

    it('refuses parameters in the query string with invalid_request', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const body = { grant_type: TOKEN_EXCHANGE, subject_token: user.token, subject_token_type: SESSION_TOKEN_TYPE, resource: API }
      const secretInUrl = () =>
        post(server, `/oauth/token?client_secret=${encodeURIComponent(client.secret as string)}`, { ...body, client_id: client.id }, null)
      await expectRefusedWithoutChange(server, secretInUrl, 400, 'invalid_request')
      const tokenInUrl = () => post(server, `/oauth/token?subject_token=${user.token}`, body, client)
      await expectRefusedWithoutChange(server, tokenInUrl, 400, 'invalid_request')
    })

    it('refuses Basic credentials together with a client_secret in the body with invalid_request', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const request = () =>
        post(
          server,
          '/oauth/token',
          {
            grant_type: TOKEN_EXCHANGE,
            subject_token: user.token,
            subject_token_type: SESSION_TOKEN_TYPE,
            resource: API,
            client_secret: client.secret as string,
          },
          client,
        )
      await expectRefusedWithoutChange(server, request, 400, 'invalid_request')
      const mismatch = () =>
        post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API, client_id: 'someone-else' }, client)
      await expectRefusedWithoutChange(server, mismatch, 400, 'invalid_request')
    })

    it('accepts client_secret_post', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const response = await post(
        server,
        '/oauth/token',
        {
          grant_type: TOKEN_EXCHANGE,
          subject_token: user.token,
          subject_token_type: SESSION_TOKEN_TYPE,
          resource: API,
          client_id: client.id,
          client_secret: client.secret as string,
        },
        null,
      )
      expect(response.statusCode, response.body).toBe(200)
      expect(decodeJwt(response.json().access_token).client_id).toBe(client.id)
    })

    it('refuses a public client that sends a secret with invalid_client', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server)
      const spa = await createClient(server, { type: 'spa' })
      const user = await createUser(server)
      const before = await countRows(server)
      const response = await exchange(server, { id: spa.id, secret: 'anything' }, user.token)
      expectOAuthError(response, 401, 'invalid_client')
      expect(await countRows(server)).toEqual(before)
    })

    it('refuses malformed Basic credentials with invalid_client', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await world(server)
      for (const authorization of ['Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, 'Bearer abc']) {
        const request = () =>
          server.app.inject({
            method: 'POST',
            url: '/oauth/token',
            headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
            payload: 'grant_type=client_credentials',
          })
        await expectRefusedWithoutChange(server, request, 401, 'invalid_client')
      }
    })
  })
}
