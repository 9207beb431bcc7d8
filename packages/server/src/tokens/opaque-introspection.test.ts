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
  tokensFor,
  type User,
} from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import type { TestServer } from '../../test/test-server.js'

// Issue 17: an opaque access token is read with its session and the session's user in one query
// (tokens/access-token-store.ts findByJtiWithBinding). Each rule the two reads enforced before must
// still hold on each dialect.

/** A session-mode API, a web client of it, its resource server, and a signed-in user holding every permission. */
async function world(server: TestServer) {
  await server.tessera.services.apis.create({ identifier: SESSION_API, name: 'Session API', mode: 'session', scopes: ['read'] }, CLI)
  const user = await createUser(server)
  await grantEverything(server, { kind: 'user', id: user.id })
  return {
    user,
    client: await createClient(server, { apis: [SESSION_API], scopes: ['read'] }),
    resourceServer: await createClient(server, { type: 'resource-server', apis: [SESSION_API], scopes: [] }),
  }
}

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
