import { describe, expect, it } from 'vitest'
import { holdPostgresReads } from '../../test/held-postgres-reads.js'
import {
  API,
  CLI,
  type Client,
  clientCredentials,
  createClient,
  createUser,
  grantEverything,
  introspect,
  post,
  SESSION_API,
  serve,
  sessionApiWorld,
  tokensFor,
} from '../../test/oauth-fixture.js'
import type { TestServer } from '../../test/test-server.js'

// Introspection on PostgreSQL reads the recorded tokens of the introspections that arrive together
// in one query (access-token-read-batch.ts, docs/tokens.md "What introspection caches"). No
// staleness: an introspection that starts after a revocation committed answers inactive, whichever
// batch it lands in.

const INACTIVE = '{"active":false}'
const TOKEN_READ = 'from "access_tokens" left join "sessions"'

const idOf = (token: string) => token.split('.')[0] as string

/** The resource server as the introspection service takes it (what client authentication returns). */
async function callerOf(server: TestServer, client: Client) {
  const application = await server.tessera.services.applications.find(client.id)
  if (!application) throw new Error('no such application')
  return application
}

describe('introspection on postgres', () => {
  it('reads the tokens of introspections that arrive together with one query, and answers each with its own', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished, 'postgres')
    const { user: ann, client, resourceServer } = await sessionApiWorld(server)
    const bob = await createUser(server, 'bob@example.com')
    await grantEverything(server, { kind: 'user', id: bob.id })
    const annToken = (await tokensFor(server, client, ann, { resource: SESSION_API })).access_token
    const bobToken = (await tokensFor(server, client, bob, { resource: SESSION_API })).access_token
    // Ann's token id with another secret: it shares Ann's row in the batch, and is refused.
    const wrongSecret = `${idOf(annToken)}.${'A'.repeat(43)}`
    // The resource server, the API and the cut-offs in the config cache, so no introspection below waits on them.
    expect((await introspect(server, resourceServer, annToken)).json()).toMatchObject({ active: true })
    const hold = holdPostgresReads(server, TOKEN_READ)
    hold.release()

    // Called directly, each introspection's read has joined the open batch when the call returns
    // (over HTTP, light-my-request delivers each body in a turn of its own).
    const { introspection } = server.tessera.services
    const caller = await callerOf(server, resourceServer)
    const [annSees, bobSees, wrong] = await Promise.all([
      introspection.introspect(caller, annToken),
      introspection.introspect(caller, bobToken),
      introspection.introspect(caller, wrongSecret),
    ])

    expect(hold.queries).toHaveLength(1)
    expect([...(hold.queries[0] as string[])].sort()).toEqual([idOf(annToken), idOf(bobToken)].sort())
    expect(annSees).toMatchObject({ active: true, sub: ann.id, jti: idOf(annToken) })
    expect(bobSees).toMatchObject({ active: true, sub: bob.id, jti: idOf(bobToken) })
    expect(wrong).toEqual({ active: false })
    // And over HTTP, one at a time: each answer is the same.
    expect((await introspect(server, resourceServer, annToken)).json()).toEqual(JSON.parse(JSON.stringify(annSees)))
    expect((await introspect(server, resourceServer, wrongSecret)).body).toBe(INACTIVE)
  })

  it('answers inactive for a token revoked before the introspection started, while an earlier read of it is still in flight', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished, 'postgres')
    const { user, client, resourceServer } = await sessionApiWorld(server)
    const token = (await tokensFor(server, client, user, { resource: SESSION_API })).access_token
    const hold = holdPostgresReads(server, TOKEN_READ)

    const before = introspect(server, resourceServer, token)
    await hold.sent(1)
    await hold.answered(1) // PostgreSQL read the token live; the answer is held
    const revoked = await post(server, '/oauth/revoke', { token }, client)
    expect(revoked.statusCode, revoked.body).toBe(200)
    const after = introspect(server, resourceServer, token)
    await hold.sent(2)
    hold.release()

    // The first introspection started before the revocation: the live row it read is a correct answer.
    expect((await before).json()).toMatchObject({ active: true, sub: user.id })
    // The second never joins the query already sent: it is read again, and inactive.
    expect((await after).body).toBe(INACTIVE)
    expect(hold.queries).toEqual([[idOf(token)], [idOf(token)]])
  })

  it('reads encrypted tokens that arrive together with one query, each by its own hash', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'postgres')
    await server.tessera.services.apis.register(
      { identifier: API, name: 'Orders', mode: 'hybrid', scopes: ['read'], encryption: { generate: 'P-256' } },
      CLI,
    )
    const resourceServer = await createClient(server, { type: 'resource-server', apis: [API] })
    const machines: Client[] = []
    const tokens: string[] = []
    for (let i = 0; i < 2; i++) {
      const m2m = await createClient(server, { type: 'm2m', grants: ['client_credentials'] })
      const issued = await clientCredentials(server, m2m, { scope: 'read' })
      expect(issued.statusCode, issued.body).toBe(200)
      machines.push(m2m)
      tokens.push(issued.json().access_token as string)
    }
    expect((await introspect(server, resourceServer, tokens[0] as string)).json()).toMatchObject({ active: true })
    const hold = holdPostgresReads(server, TOKEN_READ)
    hold.release()

    const caller = await callerOf(server, resourceServer)
    const answers = await Promise.all(tokens.map((token) => server.tessera.services.introspection.introspect(caller, token)))

    expect(hold.queries).toHaveLength(1)
    expect(hold.queries[0]).toHaveLength(2)
    for (const [i, answer] of answers.entries())
      expect(answer).toMatchObject({ active: true, client_id: machines[i]?.id, sub: machines[i]?.id })
  })
})
