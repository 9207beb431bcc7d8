import { performance } from 'node:perf_hooks'
import type { TestContext } from 'vitest'
import { describe, expect, it } from 'vitest'
import { authorizeUrl, Browser, codeRequest, createClient, location, pkce } from '../../test/oidc-fixture.js'
import { type RogueProvider, startRogueProvider } from '../../test/rogue-provider.js'
import { createTestServer, type TestServer } from '../../test/test-server.js'
import { en } from '../i18n/catalogues/en.js'

const CLI = { kind: 'cli' } as const

/** Tessera (upstream requests bounded at one second) with a connection to a provider that misbehaves on request. */
async function setUp(onTestFinished: TestContext['onTestFinished']) {
  const rogue = await startRogueProvider()
  onTestFinished(() => rogue.close())
  const lines: string[] = []
  const server = await createTestServer({ config: { connections: { timeout: 1 } }, logLines: lines })
  onTestFinished(() => server.close())
  const connection = await server.tessera.connections.service.create(
    { type: 'oidc', name: 'Rogue', issuer: rogue.issuer, clientId: rogue.clientId, clientSecret: 's3cret', allowInsecureDevelopment: true },
    CLI,
  )
  const client = await createClient(server, { firstParty: true })
  return { rogue, server, connection, client, lines }
}

/** Starts a sign-in through the connection; returns the browser and the state and nonce sent upstream. */
async function begin(server: TestServer, rogue: RogueProvider, client: { id: string; secret: string | null }, connectionId: string) {
  const browser = new Browser(server.app)
  const signIn = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
  const start = await browser.get(`/ui/connections/${connectionId}/start?request=${signIn.searchParams.get('request')}`)
  expect(start.statusCode, start.body).toBe(303)
  const upstream = new URL(start.headers.location as string)
  expect(upstream.origin).toBe(rogue.issuer)
  expect(upstream.searchParams.get('code_challenge_method')).toBe('S256')
  rogue.lastNonce = upstream.searchParams.get('nonce')
  return { browser, state: upstream.searchParams.get('state') as string }
}

const callback = (connectionId: string, params: Record<string, string>) => `/oauth/callback/${connectionId}?${new URLSearchParams(params)}`

/** Nothing was created: no user, no identity, no session. */
async function nothingCreated(server: TestServer) {
  const db = server.tessera.database.db
  expect(await db.selectFrom('users').select('id').execute()).toEqual([])
  expect(await db.selectFrom('identities').select('id').execute()).toEqual([])
  expect(await db.selectFrom('sessions').select('id').execute()).toEqual([])
}

async function failures(server: TestServer) {
  const rows = await server.tessera.database.db
    .selectFrom('event_outbox')
    .select('payload')
    .where('type', '=', 'sign_in.upstream_failed')
    .orderBy('seq')
    .execute()
  return rows.map((row) => JSON.parse(row.payload) as Record<string, unknown>)
}

describe('abuse of the upstream round trip (issue 15): refused with a clear page, nothing created', () => {
  it('refuses an ID token with a wrong nonce, audience, issuer or signature, and records why without any token', async ({
    onTestFinished,
  }) => {
    const { rogue, server, connection, client } = await setUp(onTestFinished)
    const forgeries: [string, RogueProvider['token']][] = [
      ['nonce', { kind: 'id_token', claims: { nonce: 'not-the-nonce' } }],
      ['aud', { kind: 'id_token', claims: { aud: 'someone-else' } }],
      ['iss', { kind: 'id_token', claims: { iss: 'https://evil.example' } }],
      ['signature', { kind: 'id_token', signWith: 'unpublished' }],
      ['expired', { kind: 'id_token', claims: { exp: Math.floor(Date.now() / 1000) - 3600 } }],
    ]
    for (const [what, token] of forgeries) {
      rogue.token = token
      const { browser, state } = await begin(server, rogue, client, connection.id)
      const answer = await browser.get(callback(connection.id, { code: 'c0de', state }))
      expect(answer.statusCode, `${what}: ${JSON.stringify(await failures(server))}`).toBe(400)
      expect(answer.headers['content-type']).toMatch(/^text\/html/)
      expect(answer.body).toContain(en['error.upstream_rejected'])
    }
    await nothingCreated(server)
    const recorded = await failures(server)
    expect(recorded).toHaveLength(forgeries.length)
    for (const failure of recorded) {
      expect(failure.connectionId).toBe(connection.id)
      expect(JSON.stringify(failure)).not.toMatch(/eyJ|rogue-access-token|c0de/)
    }
  })

  it('refuses a missing, altered or foreign state, and a callback without the browser that started it', async ({ onTestFinished }) => {
    const { rogue, server, connection, client } = await setUp(onTestFinished)
    const { browser, state } = await begin(server, rogue, client, connection.id)
    const [flowId] = state.split('.')
    const wrong = [
      callback(connection.id, { code: 'c' }),
      callback(connection.id, { code: 'c', state: `${flowId}.${'A'.repeat(43)}` }),
      callback(connection.id, { code: 'c', state: 'garbage' }),
      callback(connection.id, { code: 'c', state, state2: 'x' }).replace('state2', 'state'),
      callback('con_AAAAAAAAAAAAAAAAAAAAAA', { code: 'c', state }),
    ]
    for (const url of wrong) {
      const answer = await browser.get(url)
      expect(answer.statusCode, url).toBe(400)
      expect(answer.body).toContain(en['error.upstream_state_invalid'])
    }
    const elsewhere = await new Browser(server.app).get(callback(connection.id, { code: 'c', state }))
    expect(elsewhere.statusCode).toBe(400)
    // The real answer still works in the browser that started it: the refusals above used nothing up.
    const right = await browser.get(callback(connection.id, { code: 'c', state }))
    expect(right.statusCode, right.body).toBe(200)
  })

  it('shows the upstream’s refusal (access_denied) as a page and records its error name', async ({ onTestFinished }) => {
    const { rogue, server, connection, client } = await setUp(onTestFinished)
    const { browser, state } = await begin(server, rogue, client, connection.id)
    const answer = await browser.get(callback(connection.id, { error: 'access_denied', state }))
    expect(answer.statusCode).toBe(400)
    await nothingCreated(server)
    expect(await failures(server)).toMatchObject([{ upstreamError: 'access_denied' }])
  })

  it('gives up on a slow, broken or unreachable upstream within its bound, with a page, not a hang or a 500', async ({
    onTestFinished,
  }) => {
    const { rogue, server, connection, client, lines } = await setUp(onTestFinished)
    for (const token of [{ kind: 'hang' }, { kind: 'garbage' }] as const) {
      rogue.token = token
      const { browser, state } = await begin(server, rogue, client, connection.id)
      const started = performance.now()
      const answer = await browser.get(callback(connection.id, { code: 'c', state }))
      const elapsed = performance.now() - started
      expect(answer.statusCode, `${token.kind}: ${answer.body} ${JSON.stringify(lines.slice(-3))}`).toBe(502)
      expect(answer.body).toContain(en['error.upstream_unavailable'])
      // connections.timeout is one second; the page comes soon after it.
      expect(elapsed).toBeLessThan(3_000)
    }
    await nothingCreated(server)

    // Down: nothing listens at the issuer any more; the start page says so at once.
    await rogue.close()
    server.tessera.connections.client.forget(connection.id)
    const browser = new Browser(server.app)
    const signIn = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    const started = performance.now()
    const down = await browser.get(`/ui/connections/${connection.id}/start?request=${signIn.searchParams.get('request')}`)
    expect(down.statusCode).toBe(502)
    expect(performance.now() - started).toBeLessThan(3_000)
  })

  it('refuses endpoints the discovery document puts on another host unless the operator allowed that host', async ({ onTestFinished }) => {
    const { rogue, server, connection, client } = await setUp(onTestFinished)
    const port = new URL(rogue.issuer).port
    rogue.discovery = { token_endpoint: `http://localhost:${port}/token` }
    const browser = new Browser(server.app)
    const signIn = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge))))
    const start = await browser.get(`/ui/connections/${connection.id}/start?request=${signIn.searchParams.get('request')}`)
    expect(start.statusCode).toBe(303) // the browser may go; the token request may not
    rogue.lastNonce = new URL(start.headers.location as string).searchParams.get('nonce')
    const state = new URL(start.headers.location as string).searchParams.get('state') as string
    const refused = await browser.get(callback(connection.id, { code: 'c', state }))
    expect(refused.statusCode).toBe(502)
    await nothingCreated(server)

    await server.tessera.connections.service.update(connection.id, { allowedHosts: [`localhost:${port}`] }, CLI)
    const again = await begin(server, rogue, client, connection.id)
    const allowed = await again.browser.get(callback(connection.id, { code: 'c', state: again.state }))
    expect(allowed.statusCode, allowed.body).toBe(200)
  })
})
