import { randomBytes } from 'node:crypto'
import { decodeJwt } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { basic, CLI, type Client, createApi, createClient } from '../../test/oauth-fixture.js'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { createMigratedTestDatabase, createTestDatabase, type TestDatabase } from '../../test/test-database.js'
import { signUp } from '../../test/test-server.js'
import { loadConfig } from '../config/load-config.js'
import type { RoleSubject } from '../rbac/role.js'
import { openDatabase } from '../store/open-database.js'
import { createConfigCache } from './config-cache.js'
import { createStores, createTransact, type Stores } from './stores.js'
import { createTessera, type Tessera } from './tessera.js'

/**
 * The token endpoint reads clients, APIs and role grants through a per-instance cache
 * (app/config-cache.ts, docs/architecture.md §8). These tests prove its bound: a change made on one
 * instance reaches another within the signals' lag. The poll is set to a minute, so only
 * PostgreSQL NOTIFY or Redis can deliver the change within the 3 s each test allows.
 */

const API = 'https://ledger.example.test'
const LAG_BOUND_MS = 3000

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

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
        feed: { pollInterval: 60_000 },
        ...(redisUrl ? { redisUrl } : {}),
      },
    })
    // The estimator's worker runs from source, as test/test-server.ts gives it (the user tests sign up).
    const tessera = await createTessera(config, { passwordEstimator: sharedSourcePasswordEstimator() })
    await tessera.app()
    await tessera.startBackgroundTasks()
    cleanups.push(() => tessera.close())
    return tessera
  }
  const first = await open()
  return [first, await open()]
}

async function clientCredentials(tessera: Tessera, authorization: string) {
  const app = await tessera.app()
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    payload: new URLSearchParams({ grant_type: 'client_credentials', resource: API }).toString(),
  })
}

/** The scope of a fresh client_credentials token, or the error. */
async function scopeOf(tessera: Tessera, authorization: string): Promise<string> {
  const response = await clientCredentials(tessera, authorization)
  if (response.statusCode !== 200) return `error:${response.json().error}`
  return String(decodeJwt(response.json().access_token).scope ?? '')
}

/** Whether `authorization`'s client sees its own token as active at introspection. */
async function activeAt(tessera: Tessera, authorization: string, token: string): Promise<boolean> {
  const app = await tessera.app()
  const response = await app.inject({
    method: 'POST',
    url: '/oauth/introspect',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
    payload: new URLSearchParams({ token }).toString(),
  })
  expect(response.statusCode).toBe(200)
  return response.json().active === true
}

/** An API with two permissions, a machine client holding a role that grants `ledger:read`. */
async function setUp(a: Tessera): Promise<Client> {
  await createApi({ tessera: a }, API, 'jwt', ['ledger:read', 'ledger:write'])
  const client = await createClient({ tessera: a }, { type: 'm2m', apis: [API], scopes: ['ledger:read', 'ledger:write'], roles: false })
  await a.services.roles.create({ name: 'reader', description: 'reads the ledger' }, CLI)
  await a.services.roles.addPermissions('reader', API, ['ledger:read'], CLI)
  await a.services.roles.assignToApplication('reader', client.id, CLI)
  return client
}

/**
 * Warms instance B's cache and proves it serves from it: requests read the application from the
 * store less often than they are made. (Not never: other tests on this machine share PostgreSQL's
 * and Redis's channels, and each of their signals drops this cache too.) Counting wraps the real
 * store's method; the database is real.
 */
async function warm(b: Tessera, authorization: string): Promise<void> {
  expect(await scopeOf(b, authorization)).toBe('ledger:read')
  let reads = 0
  const findById = b.stores.applications.findById
  b.stores.applications.findById = (id) => {
    reads++
    return findById(id)
  }
  const requests = 10
  for (let i = 0; i < requests; i++) expect(await scopeOf(b, authorization)).toBe('ledger:read')
  expect(reads).toBeLessThan(requests)
}

/** Waits (bounded) until B answers `expected`; returns how long that took after the change. */
async function seenWithin(b: Tessera, authorization: string, expected: string, changedAt: number): Promise<number> {
  await vi.waitFor(async () => expect(await scopeOf(b, authorization)).toBe(expected), { timeout: LAG_BOUND_MS, interval: 10 })
  return Date.now() - changedAt
}

describe('the config cache across two instances on PostgreSQL (LISTEN/NOTIFY)', () => {
  async function instances() {
    const database = createTestDatabase('postgres')
    cleanups.push(() => database.drop())
    const [a, b] = await twoInstances(database)
    const client = await setUp(a)
    return { a, b, client, authorization: basic(client) }
  }

  it('a rotated secret stops working on the other instance within the lag', async () => {
    const { a, b, client, authorization } = await instances()
    await warm(b, authorization)
    const secret = await a.services.applications.rotateSecret(client.id, CLI)
    expect(await seenWithin(b, authorization, 'error:invalid_client', Date.now())).toBeLessThan(LAG_BOUND_MS)
    expect(await scopeOf(b, basic({ id: client.id, secret }))).toBe('ledger:read')
  })

  it('a removed role stops granting on the other instance within the lag', async () => {
    const { a, b, authorization, client } = await instances()
    await warm(b, authorization)
    await a.services.roles.unassignFromApplication('reader', client.id, CLI)
    expect(await seenWithin(b, authorization, '', Date.now())).toBeLessThan(LAG_BOUND_MS)
  })

  it('a permission taken from a role, and a permission added, reach the other instance within the lag', async () => {
    const { a, b, authorization } = await instances()
    await warm(b, authorization)
    await a.services.roles.addPermissions('reader', API, ['ledger:write'], CLI)
    expect(await seenWithin(b, authorization, 'ledger:read ledger:write', Date.now())).toBeLessThan(LAG_BOUND_MS)
    await a.services.roles.removePermissions('reader', API, ['ledger:read', 'ledger:write'], CLI)
    expect(await seenWithin(b, authorization, '', Date.now())).toBeLessThan(LAG_BOUND_MS)
  })

  it("a role cut-off ends the client's tokens at introspection here at once, and on the other instance within the lag", async () => {
    const { a, b, client, authorization } = await instances()
    const token = (await clientCredentials(a, authorization)).json().access_token as string
    // Warm both caches, cut-off included (introspection reads it through the config cache).
    for (let i = 0; i < 3; i++)
      expect([await activeAt(a, authorization, token), await activeAt(b, authorization, token)]).toEqual([true, true])
    const changedAt = Date.now()
    await a.services.roles.unassignFromApplication('reader', client.id, CLI)
    expect(await activeAt(a, authorization, token)).toBe(false)
    await vi.waitFor(async () => expect(await activeAt(b, authorization, token)).toBe(false), { timeout: LAG_BOUND_MS, interval: 10 })
    expect(Date.now() - changedAt).toBeLessThan(LAG_BOUND_MS)
  })

  it('a deleted client is refused on the other instance within the lag', async () => {
    const { a, b, client, authorization } = await instances()
    await warm(b, authorization)
    await a.services.applications.delete(client.id, CLI)
    expect(await seenWithin(b, authorization, 'error:invalid_client', Date.now())).toBeLessThan(LAG_BOUND_MS)
  })

  it('an application that loses an API is refused it on the other instance within the lag', async () => {
    const { a, b, client, authorization } = await instances()
    await warm(b, authorization)
    await a.services.applications.update(client.id, { apis: [], scopes: [] }, CLI)
    expect(await seenWithin(b, authorization, 'error:invalid_target', Date.now())).toBeLessThan(LAG_BOUND_MS)
  })
})

describe('the config cache across two instances on one SQLite file (Redis)', () => {
  it('a rotated secret stops working on the other instance within the lag', async () => {
    const database = createTestDatabase('sqlite')
    cleanups.push(() => database.drop())
    const [a, b] = await twoInstances(database, process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379')
    const client = await setUp(a)
    const authorization = basic(client)
    await warm(b, authorization)
    await a.services.applications.rotateSecret(client.id, CLI)
    expect(await seenWithin(b, authorization, 'error:invalid_client', Date.now())).toBeLessThan(LAG_BOUND_MS)
  })
})

describe('the config cache on one instance', () => {
  it('sees its own changes at once, with no wait', async () => {
    const database = createTestDatabase('sqlite')
    cleanups.push(() => database.drop())
    const [a] = await twoInstances(database)
    const client = await setUp(a)
    const authorization = basic(client)
    await warm(a, authorization)
    await a.services.roles.removePermissions('reader', API, ['ledger:read'], CLI)
    expect(await scopeOf(a, authorization)).toBe('')
    await a.services.roles.addPermissions('reader', API, ['ledger:write'], CLI)
    expect(await scopeOf(a, authorization)).toBe('ledger:write')
    const secret = await a.services.applications.rotateSecret(client.id, CLI)
    expect(await scopeOf(a, authorization)).toBe('error:invalid_client')
    expect(await scopeOf(a, basic({ id: client.id, secret }))).toBe('ledger:write')
  })

  it('stores nothing while the signals do not run (no background tasks: every read goes to the store)', async () => {
    const database = createTestDatabase('sqlite')
    cleanups.push(() => database.drop())
    const config = loadConfig({
      env: {},
      overrides: {
        databaseUrl: database.url,
        issuer: 'https://id.example.test',
        masterKey: randomBytes(32).toString('base64url'),
        logLevel: 'silent',
      },
    })
    const tessera = await createTessera(config, { passwordEstimator: sharedSourcePasswordEstimator() })
    cleanups.push(() => tessera.close())
    const client = await setUp(tessera)
    expect(await scopeOf(tessera, basic(client))).toBe('ledger:read')
    expect(tessera.services.configCache.size).toBe(0)
  })
})

/**
 * Refresh rotation and token exchange read the API and what the user's roles grant through the
 * same cache, inside their transaction (app/config-cache.ts `inTransaction`): so the same bound.
 */
describe("the config cache in refresh rotation and token exchange (a user's roles, the API)", () => {
  async function userSetUp(a: Tessera) {
    await createApi({ tessera: a }, API, 'jwt', ['ledger:read', 'ledger:write'])
    const client = await createClient({ tessera: a }, { type: 'web', apis: [API], scopes: ['ledger:read', 'ledger:write'] })
    await a.services.roles.create({ name: 'reader', description: 'reads the ledger' }, CLI)
    await a.services.roles.addPermissions('reader', API, ['ledger:read', 'ledger:write'], CLI)
    const { token, body } = await signUp(await a.app(), 'ann@example.com', { transport: 'bearer' })
    const userId = body.user?.id as string
    await a.services.roles.assignToUser('reader', userId, CLI)
    return { client, sessionToken: token as string, userId }
  }

  async function tokenRequest(tessera: Tessera, client: Client, params: Record<string, string>) {
    const response = await (await tessera.app()).inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
      payload: new URLSearchParams(params).toString(),
    })
    if (response.statusCode !== 200) throw new Error(response.body)
    return response.json() as { scope: string; refresh_token: string }
  }

  /** A refresh family on `tessera`: each call rotates it once and returns the new access token's scope. */
  async function family(tessera: Tessera, client: Client, sessionToken: string) {
    let { refresh_token: current } = await tokenRequest(tessera, client, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: sessionToken,
      subject_token_type: 'urn:tessera:token-type:session',
      resource: API,
    })
    return async () => {
      const rotated = await tokenRequest(tessera, client, { grant_type: 'refresh_token', refresh_token: current })
      current = rotated.refresh_token
      return rotated.scope
    }
  }

  /** Counts what B reads of the user's roles from the store, through the role service the cache loads from. */
  function countRoleReads(tessera: Tessera): { reads: number } {
    const counter = { reads: 0 }
    const permissionsFor = tessera.services.roles.permissionsFor
    tessera.services.roles.permissionsFor = (tx, subject, api) => {
      if (subject.kind === 'user') counter.reads++
      return permissionsFor(tx, subject, api)
    }
    return counter
  }

  it("a role taken from a user narrows the other instance's next rotation at once, and a role given reaches it within the lag (PostgreSQL NOTIFY)", async () => {
    const database = createTestDatabase('postgres')
    cleanups.push(() => database.drop())
    const [a, b] = await twoInstances(database)
    const { client, sessionToken, userId } = await userSetUp(a)
    const rotate = await family(b, client, sessionToken)
    expect(await rotate()).toBe('ledger:read ledger:write')
    // B serves the user's grants from its cache: fewer store reads than rotations (not none: other
    // tests' signals on this machine's PostgreSQL drop the cache too).
    const counter = countRoleReads(b)
    const rotations = 10
    for (let i = 0; i < rotations; i++) expect(await rotate()).toBe('ledger:read ledger:write')
    expect(counter.reads).toBeLessThan(rotations)
    // Taking a permission away raises the user's token version in the same commit, and B keys the
    // grants it holds by the version it reads in the rotation: no wait for B's signal.
    await a.services.roles.unassignFromUser('reader', userId, CLI)
    expect(await rotate()).toBe('')
    // Giving one raises nothing: B sees it when its signal drops the cache, within the lag.
    const changedAt = Date.now()
    await a.services.roles.assignToUser('reader', userId, CLI)
    await vi.waitFor(async () => expect(await rotate()).toBe('ledger:read ledger:write'), { timeout: LAG_BOUND_MS, interval: 10 })
    expect(Date.now() - changedAt).toBeLessThan(LAG_BOUND_MS)
  })

  it('a narrowing needs no signal: with only a one-minute poll, the other instance narrows its next rotation at once (SQLite)', async () => {
    const database = createTestDatabase('sqlite')
    cleanups.push(() => database.drop())
    const [a, b] = await twoInstances(database)
    const { client, sessionToken, userId } = await userSetUp(a)
    const rotate = await family(b, client, sessionToken)
    for (let i = 0; i < 3; i++) expect(await rotate()).toBe('ledger:read ledger:write')
    await a.services.roles.unassignFromUser('reader', userId, CLI)
    expect(await rotate()).toBe('')
    // Proof that B answers from its cache, which no signal has dropped: a role given back (which
    // raises no token version) is not seen before the poll.
    await a.services.roles.assignToUser('reader', userId, CLI)
    expect(await rotate()).toBe('')
  })

  it('on one instance the next rotation and exchange see a change to the roles or the API at once (SQLite)', async () => {
    const database = createTestDatabase('sqlite')
    cleanups.push(() => database.drop())
    const [a] = await twoInstances(database)
    const { client, sessionToken } = await userSetUp(a)
    const counter = countRoleReads(a)
    const rotate = await family(a, client, sessionToken)
    for (let i = 0; i < 5; i++) expect(await rotate()).toBe('ledger:read ledger:write')
    // Read once, in the exchange's transaction, kept after its commit, then served from the cache.
    expect(counter.reads).toBe(1)
    await a.services.roles.removePermissions('reader', API, ['ledger:write'], CLI)
    expect(await rotate()).toBe('ledger:read')
    const exchanged = await tokenRequest(a, client, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: sessionToken,
      subject_token_type: 'urn:tessera:token-type:session',
      resource: API,
    })
    expect(exchanged.scope).toBe('ledger:read')
    // The API as cached: once it takes DPoP-bound tokens only, the next rotation without a proof is refused.
    const api = await a.services.apis.get(API)
    await a.services.apis.update(api.id, { requireDpop: true }, CLI)
    // (dpop_required is an OAuth invalid_request; the refusal spends nothing, so the same token
    // rotates once the API takes Bearer tokens again.)
    await expect(rotate()).rejects.toThrow(/"invalid_request"/)
    await a.services.apis.update(api.id, { requireDpop: false }, CLI)
    expect(await rotate()).toBe('ledger:read')
  })
})

describe('the config cache inside a transaction', () => {
  /** The cache over real stores of a migrated SQLite database, enabled as the signals would. */
  async function cacheOnStores() {
    const database = await createMigratedTestDatabase('sqlite')
    cleanups.push(() => database.drop())
    const { db } = openDatabase(database.url)
    cleanups.push(() => db.destroy())
    const stores = createStores(db)
    const transact = createTransact(db)
    const roles = {
      permissionsFor: vi.fn((tx: Pick<Stores, 'roles'>, subject: RoleSubject, api: string) =>
        tx.roles.grantsOn(subject, api).then(toGranted),
      ),
    }
    const cache = createConfigCache({
      applications: { find: async () => null },
      apis: { find: async () => null },
      roles,
      revocations: { clientCutoff: async () => null, apiCutoff: async () => null },
      rootStores: stores,
    })
    cache.enable()
    return { cache, transact, roles }
  }
  const toGranted = (grants: { role: string; permission: string }[]) => ({
    permissions: grants.map((grant) => grant.permission),
    roles: grants.map((grant) => grant.role),
  })
  const ann: RoleSubject = { kind: 'user', id: 'usr_ann', tokenVersion: 1 }

  it('keeps what a transaction read only once it committed, and serves it to the next transaction without a read', async () => {
    const { cache, transact, roles } = await cacheOnStores()
    await expect(
      transact(async (tx) => {
        await cache.roles.permissionsFor(tx, ann, API)
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    expect(cache.size).toBe(0)
    await transact((tx) => cache.roles.permissionsFor(tx, ann, API))
    expect(cache.size).toBe(1)
    expect(roles.permissionsFor).toHaveBeenCalledTimes(2)
    expect(await transact((tx) => cache.roles.permissionsFor(tx, ann, API))).toEqual({ permissions: [], roles: [] })
    expect(roles.permissionsFor).toHaveBeenCalledTimes(2)
  })

  it('keeps nothing read before an invalidation, and never serves a transaction that wrote roles', async () => {
    const { cache, transact, roles } = await cacheOnStores()
    await transact(async (tx) => {
      await cache.roles.permissionsFor(tx, ann, API)
      cache.invalidate() // a change committed elsewhere while this transaction ran
    })
    expect(cache.size).toBe(0)
    await transact((tx) => cache.roles.permissionsFor(tx, ann, API))
    expect(cache.size).toBe(1)
    const reads = roles.permissionsFor.mock.calls.length
    await transact(async (tx) => {
      await tx.roles.insert({ id: 'rol_new', name: 'new', description: '', isDefault: false, createdAt: 0, updatedAt: 0 })
      await cache.roles.permissionsFor(tx, ann, API)
    })
    expect(roles.permissionsFor).toHaveBeenCalledTimes(reads + 1)
  })
})
