import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  API,
  CLI,
  type Client,
  clientCredentials,
  createApi,
  createClient,
  createUser,
  exchange,
  introspect,
  OTHER_API,
  refresh,
  serve,
  tokensFor,
} from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import type { TestServer } from '../../test/test-server.js'

/**
 * RBAC at the token endpoint: a token carries the intersection of what was asked for, what the
 * API defines, what the application may hold, and what the subject's roles grant on the API.
 */

async function active(server: TestServer, resourceServer: Client, token: string): Promise<boolean> {
  const response = await introspect(server, resourceServer, token)
  expect(response.statusCode, response.body).toBe(200)
  return response.json().active as boolean
}

/** An API (read, write, admin), its resource server, a web client allowed read and write, and a role `editor` granting read and write. */
async function world(server: TestServer) {
  await createApi(server)
  const resourceServer = await createClient(server, { type: 'resource-server', apis: [API], scopes: [] })
  const client = await createClient(server)
  const { roles } = server.tessera.services
  await roles.create({ name: 'editor' }, CLI)
  await roles.addPermissions('editor', API, ['read', 'write'], CLI)
  await roles.create({ name: 'reader' }, CLI)
  await roles.addPermissions('reader', API, ['read'], CLI)
  return { resourceServer, client, roles }
}

for (const dialect of DIALECTS) {
  describe.concurrent(`roles and token scope on ${dialect}`, () => {
    it("narrows an exchanged token to what the user's roles grant, dropping the rest of the request silently", async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, roles } = await world(server)
      const user = await createUser(server, 'ann@example.com', { roles: false })
      await roles.assignToUser('reader', user.id, CLI)
      expect((await tokensFor(server, client, user)).scope).toBe('read')
      const asked = await tokensFor(server, client, user, { scope: 'read write' })
      expect(asked.scope).toBe('read')
      expect(decodeJwt(asked.access_token).scope).toBe('read')
      // Outside the application's ceiling is still an error, whatever the roles say.
      await roles.addPermissions('reader', API, ['admin'], CLI)
      const refused = await exchange(server, client, user.token, { scope: 'read admin' })
      expect(refused.statusCode).toBe(400)
      expect(refused.json().error).toBe('invalid_scope')
    })

    it('gives a user without roles a token with an empty scope', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client } = await world(server)
      const user = await createUser(server, 'ann@example.com', { roles: false })
      const tokens = await tokensFor(server, client, user)
      expect(tokens.scope).toBe('')
      expect(decodeJwt(tokens.access_token).scope).toBe('')
    })

    it('ignores roles that grant permissions on another API', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, roles } = await world(server)
      await createApi(server, OTHER_API)
      await roles.create({ name: 'elsewhere' }, CLI)
      await roles.addPermissions('elsewhere', OTHER_API, ['read', 'write'], CLI)
      const user = await createUser(server, 'ann@example.com', { roles: false })
      await roles.assignToUser('elsewhere', user.id, CLI)
      expect((await tokensFor(server, client, user)).scope).toBe('')
    })

    it('kills a token issued before its role was removed, and the next token carries the reduced scope (role-change propagation)', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, resourceServer, roles } = await world(server)
      const user = await createUser(server, 'ann@example.com', { roles: false })
      await roles.assignToUser('editor', user.id, CLI)
      await roles.assignToUser('reader', user.id, CLI)
      const before = await tokensFor(server, client, user)
      expect(before.scope).toBe('read write')
      expect(await active(server, resourceServer, before.access_token)).toBe(true)

      await roles.unassignFromUser('editor', user.id, CLI)
      expect(await active(server, resourceServer, before.access_token)).toBe(false)
      const after = await tokensFor(server, client, user)
      expect(after.scope).toBe('read')
      expect(await active(server, resourceServer, after.access_token)).toBe(true)
      expect((await introspect(server, resourceServer, after.access_token)).json().scope).toBe('read')
    })

    it('narrows the next refresh to the current roles without killing the refresh family', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, resourceServer, roles } = await world(server)
      const user = await createUser(server, 'ann@example.com', { roles: false })
      await roles.assignToUser('editor', user.id, CLI)
      const first = await tokensFor(server, client, user)
      expect(first.scope).toBe('read write')

      await roles.removePermissions('editor', API, ['write'], CLI)
      expect(await active(server, resourceServer, first.access_token)).toBe(false)
      const refreshed = await refresh(server, client, first.refresh_token)
      expect(refreshed.statusCode, refreshed.body).toBe(200)
      expect(refreshed.json().scope).toBe('read')
      expect(decodeJwt(refreshed.json().access_token).scope).toBe('read')
      expect(await active(server, resourceServer, refreshed.json().access_token)).toBe(true)

      // Granting it back restores it, up to the family's scope (what the roles granted at the exchange)...
      await roles.addPermissions('editor', API, ['write'], CLI)
      const again = await refresh(server, client, refreshed.json().refresh_token)
      expect(again.json().scope).toBe('read write')
      // ...but a refresh asking for more than the family holds is still refused.
      await roles.addPermissions('editor', API, ['admin'], CLI)
      const wider = await refresh(server, client, again.json().refresh_token, { scope: 'read write admin' })
      expect(wider.statusCode).toBe(400)
      expect(wider.json().error).toBe('invalid_scope')
    })

    it('drops to nothing at refresh when the user holds no role any more, and deleting a role kills live tokens', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, resourceServer, roles } = await world(server)
      const user = await createUser(server, 'ann@example.com', { roles: false })
      await roles.assignToUser('editor', user.id, CLI)
      const first = await tokensFor(server, client, user)
      await roles.delete('editor', CLI)
      expect(await active(server, resourceServer, first.access_token)).toBe(false)
      const refreshed = await refresh(server, client, first.refresh_token)
      expect(refreshed.statusCode, refreshed.body).toBe(200)
      expect(refreshed.json().scope).toBe('')
    })

    it('grants an m2m client only what its own roles grant, and cuts off its live tokens when it loses a role', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { resourceServer, roles } = await world(server)
      const m2m = await createClient(server, { type: 'm2m', scopes: ['read', 'write'], roles: false })
      const none = await clientCredentials(server, m2m)
      expect(none.statusCode, none.body).toBe(200)
      expect(none.json().scope).toBe('')

      await roles.assignToApplication('editor', m2m.id, CLI)
      await roles.assignToApplication('reader', m2m.id, CLI)
      const full = (await clientCredentials(server, m2m)).json()
      expect(full.scope).toBe('read write')
      expect((await clientCredentials(server, m2m, { scope: 'write' })).json().scope).toBe('write')
      expect((await clientCredentials(server, m2m, { scope: 'admin' })).json().error).toBe('invalid_scope')
      expect(await active(server, resourceServer, full.access_token)).toBe(true)

      server.clock.advance(10_000)
      await roles.unassignFromApplication('editor', m2m.id, CLI)
      expect(await active(server, resourceServer, full.access_token)).toBe(false)
      // Cut-offs compare whole seconds of `iat` (as the SDK does): a token from the next second lives.
      server.clock.advance(1_000)
      const reduced = (await clientCredentials(server, m2m)).json()
      expect(reduced.scope).toBe('read')
      expect(await active(server, resourceServer, reduced.access_token)).toBe(true)
      // Granting more to a role leaves the tokens already issued alone.
      await roles.addPermissions('reader', API, ['write'], CLI)
      expect(await active(server, resourceServer, reduced.access_token)).toBe(true)
    })

    it('puts a roles claim in the tokens of an API that asks for it: the roles granting anything on that API', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, roles } = await world(server)
      await createApi(server, OTHER_API)
      await roles.create({ name: 'elsewhere' }, CLI)
      await roles.addPermissions('elsewhere', OTHER_API, ['read'], CLI)
      await roles.create({ name: 'nothing' }, CLI)
      const user = await createUser(server, 'ann@example.com', { roles: false })
      for (const role of ['editor', 'reader', 'elsewhere', 'nothing']) await roles.assignToUser(role, user.id, CLI)

      expect(decodeJwt((await tokensFor(server, client, user)).access_token).roles).toBeUndefined()
      const api = await server.tessera.services.apis.setRolesClaim(API, true, CLI)
      expect(api.rolesClaim).toBe(true)
      const withClaim = await tokensFor(server, client, user)
      expect(decodeJwt(withClaim.access_token).roles).toEqual(['editor', 'reader'])
      const refreshed = await refresh(server, client, withClaim.refresh_token)
      expect(decodeJwt(refreshed.json().access_token).roles).toEqual(['editor', 'reader'])

      const m2m = await createClient(server, { type: 'm2m', roles: false })
      await roles.assignToApplication('reader', m2m.id, CLI)
      expect(decodeJwt((await clientCredentials(server, m2m)).json().access_token).roles).toEqual(['reader'])
      expect((await server.tessera.services.apis.setRolesClaim(API, false, CLI)).rolesClaim).toBe(false)
      await expect(server.tessera.services.apis.setRolesClaim('https://unknown.example.test', true, CLI)).rejects.toMatchObject({
        code: 'api_not_found',
      })
    })
  })
}
