import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import {
  CLI,
  createClient,
  createUser,
  introspect,
  OTHER_API,
  SESSION_API,
  serve,
  sessionApiWorld,
  tokensFor,
} from '../../test/oauth-fixture.js'

// Issue 17 target 3: the answer for a token whose row is a read-cache entry is built and serialised
// once (tokens/introspection-service.ts, oauth/token-routes.ts), and the client, API and cut-offs
// are judged from what the config cache holds without waiting for it. Only the shape and the wait
// are saved: who may see the token, and every check of the token, are judged on each introspection.

const INACTIVE = '{"active":false}'

async function active(response: Promise<LightMyRequestResponse>) {
  const resolved = await response
  expect(resolved.statusCode, resolved.body).toBe(200)
  expect(resolved.json().active, resolved.body).toBe(true)
  return resolved
}

describe.concurrent('introspection answer of a cached row', () => {
  it('answers another resource server inactive though the answer is held, and its own client and resource server alike', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished, 'sqlite')
    const { user, client, resourceServer } = await sessionApiWorld(server)
    await server.tessera.services.apis.create({ identifier: OTHER_API, name: 'Other', mode: 'session', scopes: ['read'] }, CLI)
    const stranger = await createClient(server, { type: 'resource-server', apis: [OTHER_API], scopes: [] })
    const { access_token: token } = await tokensFor(server, client, user, { resource: SESSION_API })
    const first = (await active(introspect(server, resourceServer, token))).body
    expect((await active(introspect(server, resourceServer, token))).body).toBe(first)
    // Neither the token's client nor its API's resource server.
    const refused = await introspect(server, stranger, token)
    expect(refused.statusCode).toBe(200)
    expect(refused.body).toBe(INACTIVE)
    // The token's own client sees the same answer, and the resource server still does.
    expect((await active(introspect(server, client, token))).body).toBe(first)
    expect((await active(introspect(server, resourceServer, token))).body).toBe(first)
  })

  it('gives each token its own answer, whichever was held before, as JSON that says it must not be cached', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite')
    const { user, client, resourceServer } = await sessionApiWorld(server)
    const bob = await createUser(server, 'bob@example.com')
    const tokens = [
      (await tokensFor(server, client, user, { resource: SESSION_API })).access_token,
      (await tokensFor(server, client, user, { resource: SESSION_API })).access_token,
      (await tokensFor(server, client, bob, { resource: SESSION_API })).access_token,
    ]
    for (let round = 0; round < 3; round++) {
      for (const token of tokens) {
        const response = await active(introspect(server, resourceServer, token))
        expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
        expect(response.headers['cache-control']).toBe('no-store')
        const body = response.json()
        expect(body.jti).toBe(token.split('.')[0])
        expect(body.sub).toBe(token === tokens[2] ? bob.id : user.id)
      }
    }
  })

  /** A session-mode world on SQLite with the config cache on (as with the background tasks), warmed. */
  async function heldWorld(onTestFinished: Parameters<typeof serve>[0]) {
    const server = await serve(onTestFinished, 'sqlite')
    server.tessera.services.configCache.enable()
    const world = await sessionApiWorld(server)
    const { access_token: token } = await tokensFor(server, world.client, world.user, { resource: SESSION_API })
    await active(introspect(server, world.resourceServer, token))
    // Served from what the caches hold: neither the application nor the token is read from the store.
    const stores = server.tessera.stores
    let reads = 0
    const findById = stores.applications.findById
    stores.applications.findById = (id) => {
      reads++
      return findById(id)
    }
    await active(introspect(server, world.resourceServer, token))
    expect(reads).toBe(0)
    return { server, token, ...world }
  }

  it("answers inactive at once when the token's client is deleted, though the client was held", async ({ onTestFinished }) => {
    const { server, token, client, resourceServer } = await heldWorld(onTestFinished)
    await server.tessera.services.applications.delete(client.id, CLI)
    expect((await introspect(server, resourceServer, token)).body).toBe(INACTIVE)
  })
})
