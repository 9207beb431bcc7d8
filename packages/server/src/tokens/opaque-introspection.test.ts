import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import {
  CLI,
  type Client,
  clientCredentials,
  createClient,
  createUser,
  grantEverything,
  introspect,
  SESSION_API,
  serve,
  sessionApiWorld,
  tokensFor,
  type User,
} from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { createTestServer, type TestServer } from '../../test/test-server.js'
import { PREPARED_MARK } from '../store/prepared-statements.js'

// Issue 17: an opaque access token is read with its session and the session's user in one query
// (tokens/access-token-binding.ts findByJtiWithBinding), on PostgreSQL a named prepared statement.
// Each rule the two reads enforced before must still hold on each dialect, prepared or not.

const world = sessionApiWorld

async function opaqueToken(server: TestServer, client: Client, user: User) {
  const { access_token, expires_in } = await tokensFor(server, client, user, { resource: SESSION_API })
  expect(access_token).not.toContain('.ey')
  return { token: access_token, expiresIn: expires_in as number }
}

async function activeBody(response: Promise<LightMyRequestResponse>) {
  const resolved = await response
  expect(resolved.statusCode, resolved.body).toBe(200)
  expect(resolved.json().active, resolved.body).toBe(true)
  return resolved.json()
}

async function expectInactive(response: Promise<LightMyRequestResponse>) {
  const resolved = await response
  expect(resolved.statusCode, resolved.body).toBe(200)
  expect(resolved.body).toBe('{"active":false}')
}

for (const dialect of DIALECTS) {
  describe.concurrent(`introspection of an opaque token on ${dialect}`, () => {
    it('is active with its session’s methods and the user’s token version while the session and the user live', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { user, client, resourceServer } = await world(server)
      const { token } = await opaqueToken(server, client, user)
      expect(await activeBody(introspect(server, resourceServer, token))).toMatchObject({
        sub: user.id,
        aud: SESSION_API,
        client_id: client.id,
        sid: user.sessionId,
        amr: ['pwd'],
        tessera_tv: expect.any(Number),
      })
    })

    it('is active for an m2m token bound to no session', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { resourceServer } = await world(server)
      const m2m = await createClient(server, { type: 'm2m', apis: [SESSION_API], scopes: ['read'] })
      await grantEverything(server, { kind: 'application', id: m2m.id })
      const issued = await clientCredentials(server, m2m, { resource: SESSION_API })
      expect(issued.statusCode, issued.body).toBe(200)
      const body = await activeBody(introspect(server, resourceServer, issued.json().access_token))
      expect(body).toMatchObject({ sub: m2m.id, client_id: m2m.id })
      expect(body).not.toHaveProperty('sid')
    })

    it('is inactive once its session is revoked', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { user, client, resourceServer } = await world(server)
      const { token } = await opaqueToken(server, client, user)
      await server.tessera.services.sessions.revoke(user.sessionId, { reason: 'operator', actor: CLI })
      await expectInactive(introspect(server, resourceServer, token))
    })

    it('is inactive once it expires, and not a second before', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { user, client, resourceServer } = await world(server)
      const { token, expiresIn } = await opaqueToken(server, client, user)
      server.clock.advance(expiresIn * 1000 - 1)
      await activeBody(introspect(server, resourceServer, token))
      server.clock.advance(1)
      await expectInactive(introspect(server, resourceServer, token))
    })

    it('is inactive once its user’s token version rises, though its session lives on', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { user, client, resourceServer } = await world(server)
      const { token } = await opaqueToken(server, client, user)
      // A password change keeps the current session and raises the token version (docs/architecture.md §2).
      const changed = await server.app.inject({
        method: 'POST',
        url: '/v1/password',
        headers: { authorization: `Bearer ${user.token}` },
        payload: { newPassword: 'violet tractor spoon galaxy harbour 42' },
      })
      expect(changed.statusCode, changed.body).toBe(204)
      expect(
        (await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${user.token}` } })).statusCode,
      ).toBe(200)
      await expectInactive(introspect(server, resourceServer, token))
      // A token issued after the change carries the new version and is active.
      const { token: fresh } = await opaqueToken(server, client, user)
      await activeBody(introspect(server, resourceServer, fresh))
    })

    it('is inactive once its user is disabled, and once its user is deleted', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { user, client, resourceServer } = await world(server)
      const other = await createUser(server, 'bob@example.com')
      const { token } = await opaqueToken(server, client, user)
      const { token: otherToken } = await opaqueToken(server, client, other)
      await server.tessera.services.users.disable(user.id, CLI)
      await expectInactive(introspect(server, resourceServer, token))
      await activeBody(introspect(server, resourceServer, otherToken))
      await server.tessera.services.users.delete(other.id, CLI)
      await expectInactive(introspect(server, resourceServer, otherToken))
    })
  })
}

/** The marked statements every connection of a PostgreSQL server's pool has prepared (all idle between requests). */
async function preparedIntrospection(server: TestServer): Promise<string[]> {
  const pool = server.tessera.database.pool
  if (!pool) throw new Error('not PostgreSQL')
  const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()))
  try {
    const statements = await Promise.all(
      clients.map(async (client) => (await client.query<{ statement: string }>('select statement from pg_prepared_statements')).rows),
    )
    return (
      statements
        .flat()
        .map((row) => row.statement)
        // The reads of access_tokens: its insert is a prepared statement too (tokens/access-token-store.ts).
        .filter((text) => text.startsWith(`${PREPARED_MARK}select`) && text.includes('access_tokens'))
    )
  } finally {
    for (const client of clients) client.release()
  }
}

describe.concurrent('introspection of an opaque token on PostgreSQL, as a prepared statement', () => {
  it('reads the token as one prepared statement, and keeps every answer after a migration changes a column it reads', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished, 'postgres')
    const { user, client, resourceServer } = await world(server)
    const { token } = await opaqueToken(server, client, user)
    expect(await activeBody(introspect(server, resourceServer, token))).toMatchObject({ scope: 'read', sid: user.sessionId })
    expect(await preparedIntrospection(server)).toHaveLength(1)
    // A type change of a selected column: PostgreSQL refuses the prepared statement once (0A000),
    // and the connection prepares it again (store/prepared-statements.ts).
    await server.tessera.database.pool?.query('alter table access_tokens alter column scope type varchar(4000)')
    expect(await activeBody(introspect(server, resourceServer, token))).toMatchObject({ scope: 'read', sid: user.sessionId })
    await server.tessera.services.sessions.revoke(user.sessionId, { reason: 'operator', actor: CLI })
    await expectInactive(introspect(server, resourceServer, token))
  })

  it('answers the same with preparedStatements=off (a pooler that cannot keep them), preparing nothing', async ({ onTestFinished }) => {
    const server = await createTestServer({ dialect: 'postgres', databaseUrlOptions: { preparedStatements: 'off' } })
    onTestFinished(() => server.close())
    const { user, client, resourceServer } = await world(server)
    const { token } = await opaqueToken(server, client, user)
    expect(await activeBody(introspect(server, resourceServer, token))).toMatchObject({ sub: user.id, sid: user.sessionId })
    expect(await preparedIntrospection(server)).toEqual([])
    await server.tessera.services.users.disable(user.id, CLI)
    await expectInactive(introspect(server, resourceServer, token))
  })
})
