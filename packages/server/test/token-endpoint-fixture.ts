import type { LightMyRequestResponse } from 'fastify'
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'
import { expect } from 'vitest'
import { sha256 } from '../src/shared/digest.js'
import { API, createApi, createClient, createUser, ISSUER } from './oauth-fixture.js'
import type { TestServer } from './test-server.js'

// What the token endpoint's tests share (src/oauth/*-grant.test.ts and the others split from
// token-endpoint.test.ts): a world to issue in, RFC 6749 §5.2 errors, and checks as a resource server would make them.

export const OPAQUE_TOKEN = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/
export const REQUIRED_CLAIMS = ['iss', 'aud', 'exp', 'iat', 'jti', 'sub', 'client_id', 'scope']

/** An API (scopes read, write, admin), a web client allowed read and write on it, and a signed-in user holding every permission. */
export async function world(server: TestServer) {
  await createApi(server)
  const client = await createClient(server)
  const user = await createUser(server)
  return { client, user }
}

/** Asserts an RFC 6749 §5.2 error: its status, its `error`, and that it is never a server error. */
export function expectOAuthError(response: LightMyRequestResponse, status: number, error: string): void {
  expect(response.statusCode, response.body).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/json/)
  expect(response.headers['cache-control']).toBe('no-store')
  const body = response.json()
  expect(body.error).toBe(error)
  for (const member of Object.keys(body)) expect(['error', 'error_description']).toContain(member)
}

export async function jwksOf(server: TestServer) {
  const response = await server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
  expect(response.statusCode).toBe(200)
  return createLocalJWKSet(response.json() as JSONWebKeySet)
}

/** Verifies an access token as any resource server would: jose, the published JWKS, RFC 9068 checks. */
export async function verifyAsResourceServer(server: TestServer, token: string, audience = API) {
  return jwtVerify(token, await jwksOf(server), {
    issuer: ISSUER,
    audience,
    typ: 'at+jwt',
    requiredClaims: REQUIRED_CLAIMS,
    currentDate: new Date(server.clock.now()),
  })
}

/** The client's row of the failure throttle (oauth/client-authentication.ts), if any. */
export function clientThrottle(server: TestServer, clientId: string) {
  return server.tessera.database.db
    .selectFrom('sign_in_throttle')
    .select(['failures', 'locked_until', 'updated_at'])
    .where('key', '=', sha256(`client:${clientId}`))
    .executeTakeFirst()
}

/**
 * The rows a token request may write, counted (token endpoint, introspection and revocation tests):
 * a request that is refused, or repeats one already made, leaves them as they were.
 */
export async function countRows(server: TestServer) {
  const db = server.tessera.database.db
  const count = async (table: 'refresh_tokens' | 'access_tokens' | 'revocation_log' | 'event_outbox' | 'sessions', revokedOnly = false) => {
    const all = db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'))
    const rows = revokedOnly ? all.where('revoked_at', 'is not', null) : all
    return Number((await rows.executeTakeFirstOrThrow()).n)
  }
  return {
    refreshTokens: await count('refresh_tokens'),
    revokedRefreshTokens: await count('refresh_tokens', true),
    accessTokens: await count('access_tokens'),
    revocations: await count('revocation_log'),
    events: await count('event_outbox'),
    sessions: await count('sessions'),
  }
}
