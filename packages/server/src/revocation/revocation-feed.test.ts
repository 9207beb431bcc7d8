import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { basic, type Client, createApi, createClient, exchange, grantEverything } from '../../test/oauth-fixture.js'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { openSse, type SseConnection } from '../../test/sse-client.js'
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/test-database.js'
import { createTestServer, signIn, signUp, type TestServer } from '../../test/test-server.js'
import { createTessera, type Tessera } from '../app/tessera.js'
import { loadConfig } from '../config/load-config.js'

const API = 'https://orders.example.test'
const CLI = { kind: 'cli' } as const

function basicAuth(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`
}

interface Fixture {
  readerAuth: string
  webAuth: string
  web: Client
}

/** A hybrid API, its resource server (the feed's reader) and a web client, from the shared OAuth fixture. */
async function registerClients(tessera: Tessera): Promise<Fixture> {
  await createApi({ tessera }, API, 'hybrid', ['orders:read'])
  const reader = await createClient({ tessera }, { type: 'resource-server', apis: [API], scopes: [] })
  const web = await createClient({ tessera }, { apis: [API], scopes: ['orders:read'] })
  return { readerAuth: basic(reader), webAuth: basic(web), web }
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function listening(server: TestServer): Promise<string> {
  return server.app.listen({ port: 0, host: '127.0.0.1' })
}

async function stream(url: string, auth: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  const connection = await openSse(url, { authorization: auth, ...headers })
  cleanups.push(async () => connection.close())
  return connection
}

async function signOut(server: TestServer, token: string) {
  const response = await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization: `Bearer ${token}` } })
  expect(response.statusCode).toBe(204)
}

for (const dialect of DIALECTS) {
  describe(`revocation feed on ${dialect}`, () => {
    async function start() {
      const server = await createTestServer({ dialect })
      cleanups.push(() => server.close())
      const fixture = await registerClients(server.tessera)
      return { server, ...fixture }
    }

    it('serves the live set to a resource server, and nothing to anyone else', async () => {
      const { server, readerAuth, webAuth } = await start()
      const { token, body } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      await signOut(server, token as string)

      const anonymous = await server.app.inject({ method: 'GET', url: '/v1/revocations' })
      expect(anonymous.statusCode).toBe(401)
      expect(anonymous.headers['www-authenticate']).toContain('Basic')
      expect(anonymous.json().code).toBe('invalid_client')
      const wrongSecret = await server.app.inject({
        method: 'GET',
        url: '/v1/revocations',
        headers: { authorization: basicAuth('nobody', 'x') },
      })
      expect(wrongSecret.statusCode).toBe(401)
      const otherClient = await server.app.inject({ method: 'GET', url: '/v1/revocations', headers: { authorization: webAuth } })
      expect(otherClient.statusCode).toBe(403)
      expect(otherClient.json().code).toBe('feed_forbidden')

      const live = await server.app.inject({ method: 'GET', url: '/v1/revocations', headers: { authorization: readerAuth } })
      expect(live.statusCode).toBe(200)
      expect(live.headers['cache-control']).toBe('no-store')
      const set = live.json()
      expect(set.serverTime).toBe(server.clock.now())
      expect(set.entries).toEqual([expect.objectContaining({ kind: 'session', sid: body.session?.id, seq: set.seq })])
    })

    it('drops entries from the live set once no token they affect can still be valid', async () => {
      const { server, readerAuth } = await start()
      const { token } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      await signOut(server, token as string)
      server.clock.advance(server.tessera.config.tokens.maxAccessTokenTtl * 1000)
      const live = await server.app.inject({ method: 'GET', url: '/v1/revocations', headers: { authorization: readerAuth } })
      expect(live.json().entries).toEqual([])
      expect(live.json().seq).toBeGreaterThan(0)
    })

    it('streams a snapshot, then each revocation as it commits, then heartbeats', async () => {
      const { server, readerAuth } = await start()
      const first = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      await signOut(server, first.token as string)
      const base = await listening(server)
      const feed = await stream(`${base}/v1/revocations`, readerAuth)
      expect(feed.status).toBe(200)
      const snapshot = await feed.next((event) => event.event === 'snapshot')
      expect((snapshot.data as { entries: { sid: string }[] }).entries.map((entry) => entry.sid)).toEqual([first.body.session?.id])
      await feed.next((event) => event.event === 'heartbeat')

      const second = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      await signOut(server, second.token as string)
      const revocation = await feed.next((event) => event.event === 'revocation')
      expect(revocation.data).toMatchObject({ kind: 'session', sid: second.body.session?.id })
      expect(Number(revocation.id)).toBe((revocation.data as { seq: number }).seq)
      expect(Number(revocation.id)).toBeGreaterThan(Number(snapshot.id))
    })

    it('resumes from Last-Event-ID with every entry it missed, in order, and no snapshot', async () => {
      const { server, readerAuth } = await start()
      const base = await listening(server)
      const feed = await stream(`${base}/v1/revocations`, readerAuth)
      const snapshot = await feed.next((event) => event.event === 'snapshot')
      feed.close()

      const ann = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      const bob = await signUp(server.app, 'bob@example.com', { transport: 'bearer' })
      await signOut(server, ann.token as string)
      await signOut(server, bob.token as string)
      await server.tessera.services.users.disable(bob.body.user?.id as string, CLI)

      const resumed = await stream(`${base}/v1/revocations`, readerAuth, { 'last-event-id': String(snapshot.id) })
      const kinds: unknown[] = []
      for (;;) {
        const event = await resumed.next()
        expect(event.event).not.toBe('snapshot')
        if (event.event === 'heartbeat') break
        kinds.push(event.data)
      }
      expect(kinds).toEqual([
        expect.objectContaining({ kind: 'session', sid: ann.body.session?.id }),
        expect.objectContaining({ kind: 'session', sid: bob.body.session?.id }),
        expect.objectContaining({ kind: 'user_token_version', sub: bob.body.user?.id, minTokenVersion: 2 }),
      ])
      const seqs = kinds.map((entry) => (entry as { seq: number }).seq)
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
    })

    it('sends the full set again to a cursor older than the entries it still holds', async () => {
      const { server, readerAuth } = await start()
      for (const email of ['ann@example.com', 'bob@example.com']) {
        const { token } = await signUp(server.app, email, { transport: 'bearer' })
        await signOut(server, token as string)
      }
      server.clock.advance(server.tessera.config.tokens.maxAccessTokenTtl * 1000)
      expect(await server.tessera.stores.revocations.prune(server.clock.now())).toBe(1)
      const base = await listening(server)
      const feed = await stream(`${base}/v1/revocations?after=0`, readerAuth)
      const first = await feed.next()
      expect(first.event).toBe('snapshot')
    })

    it('refuses a bad cursor with 400 invalid_cursor', async () => {
      const { server, readerAuth } = await start()
      for (const after of ['abc', '-1', '1.5', '99999', '1e3']) {
        const response = await server.app.inject({
          method: 'GET',
          url: `/v1/revocations?after=${encodeURIComponent(after)}`,
          headers: { authorization: readerAuth, accept: 'text/event-stream' },
        })
        expect(response.statusCode, after).toBe(400)
        expect(response.json().code).toBe('invalid_cursor')
      }
    })

    it('carries every kind of entry: session, token version, access token, key and client', async () => {
      const { server, readerAuth, webAuth, web } = await start()
      const { token, body } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      await grantEverything(server, { kind: 'user', id: body.user?.id as string })
      const exchanged = await exchange(server, web, token as string, { resource: API })
      expect(exchanged.json().scope).toBe('orders:read')
      const accessToken = exchanged.json().access_token as string
      await server.app.inject({
        method: 'POST',
        url: '/oauth/revoke',
        headers: { authorization: webAuth, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ token: accessToken }).toString(),
      })
      const [active] = (await server.tessera.services.keys.list()).filter((key) => key.state === 'active')
      await server.tessera.services.keys.revoke(active?.kid as string, CLI)
      await server.tessera.services.users.disable(body.user?.id as string, CLI)
      const victim = await server.tessera.services.applications.create({ name: 'gone', type: 'm2m', apis: [API], scopes: [] }, CLI)
      await server.tessera.services.applications.delete(victim.application.id, CLI)

      const live = (await server.app.inject({ method: 'GET', url: '/v1/revocations', headers: { authorization: readerAuth } })).json()
      const kinds = (live.entries as { kind: string }[]).map((entry) => entry.kind)
      expect(new Set(kinds)).toEqual(new Set(['access_token', 'key', 'session', 'user_token_version', 'client']))
      expect(live.entries).toContainEqual(expect.objectContaining({ kind: 'key', kid: active?.kid }))
      expect(live.entries).toContainEqual(expect.objectContaining({ kind: 'client', clientId: victim.application.id }))
    })
  })
}

/** Two Tessera instances on one database, each with its background tasks (LISTEN, Redis, poll). */
async function twoInstances(database: TestDatabase, redisUrl?: string): Promise<[Tessera, Tessera]> {
  const masterKey = randomBytes(32).toString('base64url')
  const open = async () => {
    const config = loadConfig({
      env: {},
      overrides: {
        databaseUrl: database.url,
        issuer: 'https://id.example.test',
        masterKey,
        logLevel: 'silent',
        // A slow poll, so only LISTEN/NOTIFY or Redis can deliver within the test's bound.
        feed: { pollInterval: 60_000 },
        ...(redisUrl ? { redisUrl } : {}),
      },
    })
    // The password estimator's thread runs from source, as the rest of the test does.
    const tessera = await createTessera(config, { passwordEstimator: sharedSourcePasswordEstimator() })
    await tessera.app()
    await tessera.startBackgroundTasks()
    cleanups.push(() => tessera.close())
    return tessera
  }
  const first = await open()
  return [first, await open()]
}

describe('revocations reach subscribers of another instance', () => {
  async function subscribeAndRevoke(a: Tessera, b: Tessera) {
    const fixture = await registerClients(a)
    const baseB = await (await b.app()).listen({ port: 0, host: '127.0.0.1' })
    const feed = await stream(`${baseB}/v1/revocations`, fixture.readerAuth)
    await feed.next((event) => event.event === 'heartbeat')
    const appA = await a.app()
    const { token, body } = await signUp(appA, 'ann@example.com', { transport: 'bearer' })
    const started = Date.now()
    const response = await appA.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode).toBe(204)
    const event = await feed.next((each) => each.event === 'revocation', 3000)
    expect(event.data).toMatchObject({ kind: 'session', sid: body.session?.id })
    return Date.now() - started
  }

  it('through PostgreSQL LISTEN/NOTIFY', async () => {
    const database = createTestDatabase('postgres')
    cleanups.push(() => database.drop())
    const [a, b] = await twoInstances(database)
    expect(await subscribeAndRevoke(a, b)).toBeLessThan(3000)
  })

  it('through Redis pub/sub, on one SQLite file', async () => {
    const database = createTestDatabase('sqlite')
    cleanups.push(() => database.drop())
    const [a, b] = await twoInstances(database, process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379')
    expect(await subscribeAndRevoke(a, b)).toBeLessThan(3000)
  })
})
