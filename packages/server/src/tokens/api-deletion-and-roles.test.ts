import { createVerifier, isTesseraAuthError } from '@tessera/sdk'
import { describe, expect, it } from 'vitest'
import {
  API,
  basic,
  CLI,
  clientCredentials,
  createApi,
  createClient,
  createUser,
  introspect,
  refresh,
  serve,
  tokensFor,
} from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'

for (const dialect of DIALECTS) {
  describe(`an API's tokens on ${dialect} (issue 16 part 9)`, () => {
    it('introspection of an opaque token returns the roles claim when the API asks for it, and not otherwise', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server, API, 'session')
      const client = await createClient(server)
      const resourceServer = await createClient(server, { type: 'resource-server', grants: [] })
      const user = await createUser(server)

      const plain = await tokensFor(server, client, user)
      const before = (await introspect(server, resourceServer, plain.access_token)).json()
      expect(before.active).toBe(true)
      expect(before.roles).toBeUndefined()

      await server.tessera.services.apis.update((await server.tessera.services.apis.get(API)).id, { rolesClaim: true }, CLI)
      const withRoles = await tokensFor(server, client, user)
      const answer = (await introspect(server, resourceServer, withRoles.access_token)).json()
      expect(answer.active).toBe(true)
      expect(answer.roles).toEqual([expect.stringMatching(/^full-/)])
      // Tokens issued before the switch keep what they carried: none.
      expect((await introspect(server, resourceServer, plain.access_token)).json().roles).toBeUndefined()
    })

    it('deleting an API kills its live tokens: opaque and JWT access tokens introspect inactive, refresh tokens fail, and recorded JWTs reach the revocation log', async ({
      onTestFinished,
    }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server, API, 'session')
      const jwtApi = 'https://jwt.example.test'
      await createApi(server, jwtApi, 'jwt')
      const client = await createClient(server, { apis: [API, jwtApi] })
      const m2m = await createClient(server, { type: 'm2m', apis: [jwtApi] })
      const user = await createUser(server)

      const opaque = await tokensFor(server, client, user)
      const jwt = await tokensFor(server, client, user, { resource: jwtApi })
      const machine = (await clientCredentials(server, m2m, { resource: jwtApi })).json().access_token as string
      // Each client may introspect its own tokens.
      const holders = [
        [client, opaque.access_token],
        [client, jwt.access_token],
        [m2m, machine],
      ] as const
      for (const [holder, token] of holders) expect((await introspect(server, holder, token)).json().active).toBe(true)
      const seqBefore = await server.tessera.stores.revocations.currentSeq()

      await server.tessera.services.apis.delete(API, CLI)
      await server.tessera.services.apis.delete(jwtApi, CLI)

      for (const [holder, token] of holders) expect((await introspect(server, holder, token)).json()).toEqual({ active: false })
      for (const token of [opaque.refresh_token, jwt.refresh_token]) {
        const refused = await refresh(server, client, token)
        expect(refused.statusCode).toBe(400)
        expect(refused.json().error).toBe('invalid_grant')
      }
      // Hybrid resource servers follow the log: the recorded JWT (issued with a refresh family) is in it.
      const entries = await server.tessera.stores.revocations.listAfter(seqBefore, 100)
      const jti = JSON.parse(Buffer.from(jwt.access_token.split('.')[1] as string, 'base64url').toString()).jti
      expect(entries.some(({ entry }) => entry.kind === 'access_token' && entry.jti === jti)).toBe(true)
    })

    it('a new API with the identifier of a deleted one does not bring its old tokens back', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server, API, 'session')
      const client = await createClient(server)
      const resourceServer = await createClient(server, { type: 'resource-server', grants: [] })
      const user = await createUser(server)
      const old = await tokensFor(server, client, user)
      await server.tessera.services.apis.delete(API, CLI)
      await createApi(server, API, 'session')
      expect((await introspect(server, resourceServer, old.access_token)).json()).toEqual({ active: false })
      expect((await refresh(server, client, old.refresh_token)).statusCode).toBe(400)
    })
  })
}

describe('client-credentials JWTs of a deleted API (issue 16 part 9)', () => {
  it('die everywhere at deletion: inactive at introspection even once the identifier is registered again, and refused by a hybrid SDK verifier through the feed', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished, 'sqlite')
    server.clock.set(Date.now())
    await createApi(server, API, 'hybrid')
    const m2m = await createClient(server, { type: 'm2m' })
    const resourceServer = await createClient(server, { type: 'resource-server', grants: [] })
    const machine = (await clientCredentials(server, m2m)).json().access_token as string
    // Not recorded: no write per client-credentials request.
    expect(await server.tessera.database.db.selectFrom('access_tokens').selectAll().execute()).toEqual([])

    const base = await server.app.listen({ port: 0, host: '127.0.0.1' })
    const verifier = createVerifier({
      issuer: 'https://id.example.test',
      audience: API,
      mode: 'hybrid',
      client: { id: resourceServer.id, secret: resourceServer.secret as string },
      clock: server.clock,
      // The SDK talks to the issuer it was given; this server listens on loopback.
      fetch: (url, init) => fetch(url.replace('https://id.example.test', base), init),
    })
    onTestFinished(() => verifier.close())
    await verifier.ready()
    await expect(verifier.verify(machine)).resolves.toMatchObject({ clientId: m2m.id })

    await server.tessera.services.apis.delete(API, CLI)
    await expect
      .poll(async () => {
        try {
          await verifier.verify(machine)
          return 'accepted'
        } catch (error) {
          return isTesseraAuthError(error) ? error.code : String(error)
        }
      })
      .toBe('token_revoked')
    const feed = await server.app.inject({ method: 'GET', url: '/v1/revocations', headers: { authorization: basic(resourceServer) } })
    expect(feed.json().entries).toContainEqual(expect.objectContaining({ kind: 'api', aud: API }))

    // Registered again: the old token stays dead; a new one is good.
    await createApi(server, API, 'hybrid')
    server.clock.advance(1000)
    expect((await introspect(server, resourceServer, machine)).json()).toEqual({ active: false })
    const fresh = (await clientCredentials(server, m2m)).json().access_token as string
    expect((await introspect(server, resourceServer, fresh)).json()).toMatchObject({ active: true })
  })
})
