import SQLite from 'better-sqlite3'
import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import {
  API,
  CLI,
  type Client,
  createClient,
  createUser,
  introspect,
  post,
  SESSION_API,
  serve,
  sessionApiWorld,
  tokensFor,
  type User,
} from '../../test/oauth-fixture.js'
import type { TestServer } from '../../test/test-server.js'
import type { AccessTokenStore } from './access-token-store.js'

// Introspection's read cache on SQLite (docs/tokens.md "What introspection caches"): a recorded
// token, its session and its user are read from memory while nothing changed, and every change, by
// this process or another connection, is seen by the very next introspection. Each test first makes
// sure the introspection it then relies on is answered from the cache.

const INACTIVE = '{"active":false}'

const world = sessionApiWorld

const cached = (server: TestServer) => (server.tessera.stores.accessTokens as unknown as { size: number }).size

const stamp = (server: TestServer) => server.tessera.database.changes?.stamp()

async function expectActive(response: Promise<LightMyRequestResponse>) {
  const resolved = await response
  expect(resolved.statusCode, resolved.body).toBe(200)
  expect(resolved.json().active, resolved.body).toBe(true)
  return resolved.body
}

async function expectInactive(response: Promise<LightMyRequestResponse>) {
  const resolved = await response
  expect(resolved.statusCode, resolved.body).toBe(200)
  expect(resolved.body).toBe(INACTIVE)
}

/** An opaque token of the user's, introspected twice: the second answer comes from the cache, and equals the first. */
async function cachedToken(server: TestServer, client: Client, resourceServer: Client, user: User) {
  const { access_token: token, expires_in } = await tokensFor(server, client, user, { resource: SESSION_API })
  expect(token).not.toContain('.ey')
  const first = await expectActive(introspect(server, resourceServer, token))
  expect(cached(server)).toBe(1)
  // Nothing changed across the second introspection, so the entry stored by the first answered it.
  const before = stamp(server)
  expect(await expectActive(introspect(server, resourceServer, token))).toBe(first)
  expect(stamp(server)).toEqual(before)
  expect(cached(server)).toBe(1)
  return { token, expiresIn: expires_in }
}

/** A second connection to the same file, as another process (the CLI) would open. */
function otherConnection(server: TestServer) {
  const other = new SQLite(server.tessera.config.databaseUrl.slice('sqlite:'.length))
  other.pragma('busy_timeout = 5000')
  return other
}

describe.concurrent('introspection read cache on sqlite', () => {
  it('answers a repeated introspection from memory, and keeps judging the client on every one', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite')
    const { user, client, resourceServer } = await world(server)
    const { token } = await cachedToken(server, client, resourceServer, user)
    // A wrong secret of the resource server is refused though the token's row is in memory.
    const wrong = await introspect(server, { id: resourceServer.id, secret: `${resourceServer.secret}x` }, token)
    expect(wrong.statusCode).toBe(401)
    // The token's own secret is compared on every introspection: its id with another secret is inactive.
    const [id] = token.split('.')
    await expectInactive(introspect(server, resourceServer, `${id}.${'A'.repeat(43)}`))
    await expectActive(introspect(server, resourceServer, token))
  })

  it('answers a held token for a held client without a promise, and through a read once the database changed (issue 17)', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished, 'sqlite')
    const { user, client, resourceServer } = await world(server)
    server.tessera.services.configCache.enable()
    const { token } = await cachedToken(server, client, resourceServer, user)
    const { introspection, applications } = server.tessera.services
    const caller = await applications.find(resourceServer.id)
    if (!caller) throw new Error('the resource server is registered')
    // The config cache now holds the client, the API and the cut-offs, and the read cache the row.
    await introspection.introspect(caller, token)
    const held = introspection.introspect(caller, token)
    expect(held).not.toBeInstanceOf(Promise)
    expect(held).toMatchObject({ active: true, client_id: client.id })
    // Every check still runs on a held row: the token's id with another secret is inactive (after
    // the refresh tokens are asked too, as for any token that is no active access token).
    const [id] = token.split('.')
    expect(await introspection.introspect(caller, `${id}.${'A'.repeat(43)}`)).toEqual({ active: false })
    // A write moves the stamp: the next introspection reads the store, and says the same.
    await tokensFor(server, client, user, { resource: SESSION_API })
    const read = introspection.introspect(caller, token)
    expect(read).toBeInstanceOf(Promise)
    expect(await read).toEqual(held)
  })

  it('answers inactive on the very next introspection once the token is revoked at the revocation endpoint', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite')
    const { user, client, resourceServer } = await world(server)
    const { token } = await cachedToken(server, client, resourceServer, user)
    const revoked = await post(server, '/oauth/revoke', { token }, client)
    expect(revoked.statusCode, revoked.body).toBe(200)
    await expectInactive(introspect(server, resourceServer, token))
  })

  it('answers inactive on the very next introspection once its session signs out', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite')
    const { user, client, resourceServer } = await world(server)
    const { token } = await cachedToken(server, client, resourceServer, user)
    const signOut = await server.app.inject({
      method: 'DELETE',
      url: `/v1/sessions/${user.sessionId}`,
      headers: { authorization: `Bearer ${user.token}` },
    })
    expect(signOut.statusCode, signOut.body).toBe(204)
    await expectInactive(introspect(server, resourceServer, token))
  })

  it('answers inactive on the very next introspection once its user is disabled', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite')
    const { user, client, resourceServer } = await world(server)
    const { token } = await cachedToken(server, client, resourceServer, user)
    await server.tessera.services.users.disable(user.id, CLI)
    await expectInactive(introspect(server, resourceServer, token))
  })

  it('answers inactive on the very next introspection once another connection to the file revokes it, or disables its user', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished, 'sqlite')
    const { user, client, resourceServer } = await world(server)
    const bob = await createUser(server, 'bob@example.com')
    const ann = await cachedToken(server, client, resourceServer, user)
    const other = otherConnection(server)
    try {
      const [jti] = ann.token.split('.')
      other.prepare('update access_tokens set revoked_at = ? where jti = ?').run(server.clock.now(), jti)
      await expectInactive(introspect(server, resourceServer, ann.token))
      const bobs = await cachedToken(server, client, resourceServer, bob)
      other.prepare(`update users set status = 'disabled' where id = ?`).run(bob.id)
      await expectInactive(introspect(server, resourceServer, bobs.token))
    } finally {
      other.close()
    }
  })

  it('judges expiry from the clock on a cached row', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite')
    const { user, client, resourceServer } = await world(server)
    const { token, expiresIn } = await cachedToken(server, client, resourceServer, user)
    server.clock.advance(expiresIn * 1000 - 1)
    await expectActive(introspect(server, resourceServer, token))
    expect(cached(server)).toBe(1)
    server.clock.advance(1)
    await expectInactive(introspect(server, resourceServer, token))
  })

  it('is not poisoned by a write that rolled back', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite')
    const { user, client, resourceServer } = await world(server)
    const { token } = await cachedToken(server, client, resourceServer, user)
    const [jti] = token.split('.')
    const db = server.tessera.database.db
    let during: ReturnType<AccessTokenStore['findByJtiWithBinding']> | undefined
    await expect(
      db.transaction().execute(async (trx) => {
        await trx
          .updateTable('access_tokens')
          .set({ revoked_at: server.clock.now() })
          .where('jti', '=', jti as string)
          .execute()
        // The read while the transaction is open must neither see nor keep what may roll back.
        during = server.tessera.stores.accessTokens.findByJtiWithBinding(jti as string)
        throw new Error('rolled back on purpose')
      }),
    ).rejects.toThrow('rolled back on purpose')
    expect((await (during as ReturnType<AccessTokenStore['findByJtiWithBinding']>))?.token.revokedAt).toBeNull()
    await expectActive(introspect(server, resourceServer, token))
    await expectActive(introspect(server, resourceServer, token))
    expect(cached(server)).toBe(1)

    // And the other way: a revoked token whose un-revoking rolled back stays inactive.
    expect((await post(server, '/oauth/revoke', { token }, client)).statusCode).toBe(200)
    await expectInactive(introspect(server, resourceServer, token))
    await expectInactive(introspect(server, resourceServer, token))
    await expect(
      db.transaction().execute(async (trx) => {
        await trx
          .updateTable('access_tokens')
          .set({ revoked_at: null })
          .where('jti', '=', jti as string)
          .execute()
        throw new Error('rolled back on purpose')
      }),
    ).rejects.toThrow('rolled back on purpose')
    await expectInactive(introspect(server, resourceServer, token))
  })

  it('keys an encrypted token by its digest, and answers inactive on the very next introspection once it is revoked or its session signs out', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished, 'sqlite')
    await server.tessera.services.apis.register(
      { identifier: API, name: 'Orders', mode: 'hybrid', scopes: ['read'], encryption: { generate: 'P-256' } },
      CLI,
    )
    const web = await createClient(server, { type: 'web', apis: [API], scopes: ['read'] })
    const resourceServer = await createClient(server, { type: 'resource-server', apis: [API] })
    const user = await createUser(server)
    const cachedJwe = async () => {
      const { access_token: token } = await tokensFor(server, web, user, { scope: 'read' })
      expect(token.split('.')).toHaveLength(5)
      const first = await expectActive(introspect(server, resourceServer, token))
      const before = stamp(server)
      expect(await expectActive(introspect(server, resourceServer, token))).toBe(first)
      expect(stamp(server)).toEqual(before)
      expect(cached(server)).toBe(1)
      return token
    }
    const revokedToken = await cachedJwe()
    expect((await post(server, '/oauth/revoke', { token: revokedToken }, web)).statusCode).toBe(200)
    await expectInactive(introspect(server, resourceServer, revokedToken))
    const signedOutToken = await cachedJwe()
    const signOut = await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization: `Bearer ${user.token}` } })
    expect(signOut.statusCode, signOut.body).toBeLessThan(300)
    await expectInactive(introspect(server, resourceServer, signedOutToken))
  })
})
