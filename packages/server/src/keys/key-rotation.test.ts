import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createLocalJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { createTestDatabase, DIALECTS, testTempDir } from '../../test/test-database.js'
import { createTestServer, type TestServer } from '../../test/test-server.js'
import { createTessera, type Tessera } from '../app/tessera.js'
import type { Application } from '../applications/application.js'
import { ConfigError } from '../config/config-error.js'
import type { Config } from '../config/config-schema.js'
import { type DeepPartial, loadConfig } from '../config/load-config.js'
import type { DialectName } from '../store/open-database.js'
import { loadMasterKey, MasterKeyError, parseMasterKey } from './master-key.js'
import type { SigningAlgorithm } from './signing-key.js'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const ISSUER = 'https://id.example.test'
const API = 'https://api.example.test'
const CLI = { kind: 'cli' } as const
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']

const servers: TestServer[] = []
const others: Tessera[] = []
const dirs: string[] = []

afterEach(async () => {
  for (const tessera of others.splice(0)) await tessera.close()
  for (const server of servers.splice(0)) await server.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

async function startServer(options: { dialect?: DialectName; config?: DeepPartial<Config> } = {}): Promise<TestServer> {
  const server = await createTestServer(options)
  servers.push(server)
  return server
}

function tempDir(): string {
  const dir = testTempDir('tessera-keys-')
  dirs.push(dir)
  return dir
}

interface M2m {
  application: Application
  secret: string
}

/** An API whose tokens live as long as any token may (so a key's retirement matters), and an m2m client for it. */
async function registerM2m(server: TestServer): Promise<M2m> {
  const { apis, applications } = server.tessera.services
  await apis.create({ identifier: API, name: 'Orders', mode: 'hybrid', scopes: ['read'], accessTokenTtl: 3600 }, CLI)
  const { application, clientSecret } = await applications.create({ name: 'Worker', type: 'm2m', apis: [API], scopes: ['read'] }, CLI)
  return { application, secret: clientSecret as string }
}

async function issue(server: TestServer, m2m: M2m): Promise<string> {
  const response = await server.tessera.services.tokens.clientCredentials(m2m.application, { resource: [API], scope: undefined })
  return response.access_token
}

function kidOf(token: string): string {
  return decodeProtectedHeader(token).kid as string
}

async function fetchJwks(server: TestServer): Promise<{ keys: JWK[] }> {
  const response = await server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
  expect(response.statusCode).toBe(200)
  return response.json() as { keys: JWK[] }
}

async function publishedKids(server: TestServer): Promise<string[]> {
  return (await fetchJwks(server)).keys.map((key) => key.kid as string)
}

/** A stock verifier: jose over the JWKS as served, at the server's frozen time. */
async function verifyWithJose(server: TestServer, token: string, jwks: { keys: JWK[] }) {
  return jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: ISSUER,
    audience: API,
    typ: 'at+jwt',
    requiredClaims: ['iss', 'aud', 'exp', 'iat', 'jti'],
    currentDate: new Date(server.clock.now()),
  })
}

async function introspect(server: TestServer, m2m: M2m, token: string): Promise<Record<string, unknown>> {
  const response = await server.app.inject({
    method: 'POST',
    url: '/oauth/introspect',
    headers: {
      authorization: `Basic ${Buffer.from(`${m2m.application.id}:${m2m.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams({ token }).toString(),
  })
  expect(response.statusCode).toBe(200)
  return response.json() as Record<string, unknown>
}

async function stateOf(server: TestServer, kid: string): Promise<string | undefined> {
  return (await server.tessera.services.keys.list()).find((key) => key.kid === kid)?.state
}

describe('signing keys and the JWKS', () => {
  it('creates exactly one active ES256 key on first start', async () => {
    const server = await startServer()
    const keys = await server.tessera.services.keys.list()
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatchObject({ state: 'active', alg: 'ES256' })
    // Applying the schedule again changes nothing.
    expect(await server.tessera.services.keys.maintain()).toBe(false)
    expect(await server.tessera.services.keys.list()).toHaveLength(1)
  })

  it('serves only public members in the JWKS, with kid, alg and use=sig, cacheable for jwksMaxAge', async () => {
    const server = await startServer()
    const response = await server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^application\/([a-z-]+\+)?json\b/)
    expect(String(response.headers['cache-control'])).toMatch(/(^|[\s,])max-age=600(\s*,|$)/)
    const { keys } = response.json() as { keys: Record<string, unknown>[] }
    expect(keys).toHaveLength(1)
    const [key] = keys as [Record<string, unknown>]
    const [stored] = await server.tessera.services.keys.list()
    expect(key).toMatchObject({ kid: stored?.kid, alg: 'ES256', use: 'sig', kty: 'EC', crv: 'P-256' })
    expect(typeof key.x).toBe('string')
    expect(typeof key.y).toBe('string')
    for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member)
  })

  it('keeps the JWKS cache lifetime within the pre-publication window', async () => {
    const server = await startServer({ config: { keys: { jwksMaxAge: 120, prePublish: 120 } } })
    const response = await server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })
    expect(String(response.headers['cache-control'])).toMatch(/(^|[\s,])max-age=120(\s*,|$)/)

    let thrown: unknown
    try {
      loadConfig({ env: {}, overrides: { keys: { jwksMaxAge: 7200, prePublish: 3600 } } })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ConfigError)
    expect((thrown as ConfigError).problems.some((problem) => problem.startsWith('keys.prePublish'))).toBe(true)
  })

  const algorithms: { alg: SigningAlgorithm; kty: string }[] = [
    { alg: 'ES256', kty: 'EC' },
    { alg: 'EdDSA', kty: 'OKP' },
    { alg: 'RS256', kty: 'RSA' },
    { alg: 'PS256', kty: 'RSA' },
  ]
  for (const { alg, kty } of algorithms) {
    it(`signs ${alg} tokens that a stock jose verifier accepts over the served JWKS`, async () => {
      const server = await startServer({ config: { keys: { algorithm: alg } } })
      const m2m = await registerM2m(server)
      const token = await issue(server, m2m)
      const jwks = await fetchJwks(server)
      const [key] = jwks.keys as [JWK]
      expect(key).toMatchObject({ alg, kty, use: 'sig' })
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member)
      if (kty === 'RSA') expect(Buffer.from(key.n as string, 'base64url').length * 8).toBe(3072)

      const { payload, protectedHeader } = await verifyWithJose(server, token, jwks)
      // RFC 9068 §2.1: exactly alg, kid and typ at+jwt, as when jose's SignJWT wrote the header.
      expect(protectedHeader).toEqual({ alg, kid: key.kid, typ: 'at+jwt' })
      expect(payload).toMatchObject({ iss: ISSUER, aud: API, sub: m2m.application.id, client_id: m2m.application.id })
      expect(await server.tessera.services.verifyAccessToken(token)).toMatchObject({ kid: key.kid })
      // The signature covers the header and the payload: one bit changed anywhere, and jose refuses it.
      for (const segment of [0, 1, 2]) {
        const parts = token.split('.')
        const bytes = Buffer.from(parts[segment] as string, 'base64url')
        const at = segment === 2 ? 0 : bytes.length - 2
        bytes[at] = (bytes[at] as number) ^ 0x01
        parts[segment] = bytes.toString('base64url')
        await expect(verifyWithJose(server, parts.join('.'), jwks)).rejects.toThrow()
      }
    })
  }

  it('refuses an RSA modulus under 2048 bits in the configuration', () => {
    for (const bits of [1024, 2047]) {
      let thrown: unknown
      try {
        loadConfig({ env: {}, overrides: { keys: { rsaModulusLength: bits } } })
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(ConfigError)
      expect((thrown as ConfigError).problems.some((problem) => problem.includes('rsaModulusLength'))).toBe(true)
    }
    expect(() => loadConfig({ env: { TESSERA_KEYS_RSA_MODULUS_LENGTH: '1024' } })).toThrow(ConfigError)
    expect(loadConfig({ env: {}, overrides: { keys: { rsaModulusLength: 2048 } } }).keys.rsaModulusLength).toBe(2048)
  })
})

describe('private keys at rest', () => {
  it('stores no private key material in the clear', async () => {
    const server = await startServer()
    const rows = await server.tessera.database.db.selectFrom('signing_keys').select(['kid', 'encrypted_private_key']).execute()
    expect(rows).toHaveLength(1)
    for (const row of rows) {
      expect(row.encrypted_private_key).not.toContain('BEGIN')
      expect(row.encrypted_private_key).not.toContain('PRIVATE')
      expect(row.encrypted_private_key).not.toContain('"d"')
      expect(row.encrypted_private_key.length).toBeGreaterThan(0)
    }
  })

  it('refuses to start on a database under a different master key, whose keys would not decrypt anyway', async () => {
    const server = await startServer()
    const m2m = await registerM2m(server)
    expect(kidOf(await issue(server, m2m))).toBeTruthy()

    const config = loadConfig({
      env: {},
      overrides: {
        databaseUrl: server.tessera.config.databaseUrl,
        masterKey: randomBytes(32).toString('base64url'),
        issuer: ISSUER,
        logLevel: 'silent',
      },
    })
    // The master-key check (keys/master-key-check.ts) refuses at start.
    await expect(createTessera(config, { clock: server.clock, passwordEstimator: sharedSourcePasswordEstimator() })).rejects.toBeInstanceOf(
      ConfigError,
    )
    // Past the check (it runs with the migrations), the key set is there but its private keys do not decrypt.
    const other = await createTessera(config, {
      clock: server.clock,
      skipMigrations: true,
      passwordEstimator: sharedSourcePasswordEstimator(),
    })
    others.push(other)
    expect(await other.services.keys.list()).toHaveLength(1)
    await expect(other.services.keys.signer()).rejects.toThrow()
    await expect(other.services.tokens.clientCredentials(m2m.application, { resource: [API], scope: undefined })).rejects.toThrow()
  })
})

for (const dialect of DIALECTS) {
  describe(`scheduled rotation over a frozen clock on ${dialect}`, () => {
    it('publishes the next key a day ahead, switches at 30 days, keeps the retired key until its tokens expire', async () => {
      const server = await startServer({ dialect })
      const keys = server.tessera.services.keys
      const m2m = await registerM2m(server)
      const start = server.clock.now()
      const [first] = await keys.list()
      const oldKid = first?.kid as string
      expect(first?.activatesAt).toBe(start)

      // 28 days: nothing to do yet.
      server.clock.advance(28 * DAY)
      expect(await keys.maintain()).toBe(false)
      expect(await publishedKids(server)).toEqual([oldKid])

      // 29 days: the next key is published, but the old one still signs.
      server.clock.advance(DAY)
      expect(await keys.maintain()).toBe(true)
      const published = await publishedKids(server)
      expect(published).toHaveLength(2)
      const newKid = published.find((kid) => kid !== oldKid) as string
      const publishedAt = server.clock.now()
      expect(await stateOf(server, newKid)).toBe('next')
      expect(kidOf(await issue(server, m2m))).toBe(oldKid)

      // Just before 30 days: still the old key, even after maintenance.
      server.clock.advance(DAY - 10 * MINUTE)
      await keys.maintain()
      const oldToken = await issue(server, m2m)
      expect(kidOf(oldToken)).toBe(oldKid)
      const oldTokenExpiresAt = server.clock.now() + HOUR

      server.clock.advance(10 * MINUTE)
      expect(server.clock.now() - start).toBe(30 * DAY)
      expect(await keys.maintain()).toBe(true)
      const newToken = await issue(server, m2m)
      expect(kidOf(newToken)).toBe(newKid)
      // RFC 8725 / docs/architecture.md §8: every cached JWKS holds the new key before it signs.
      expect(server.clock.now() - publishedAt).toBeGreaterThanOrEqual(server.tessera.config.keys.jwksMaxAge * 1000)
      expect(await stateOf(server, oldKid)).toBe('retired')
      expect(await stateOf(server, newKid)).toBe('active')
      expect((await publishedKids(server)).sort()).toEqual([oldKid, newKid].sort())

      // The retired key's tokens still verify, for Tessera and for a stock verifier.
      const afterSwitch = await fetchJwks(server)
      await expect(verifyWithJose(server, oldToken, afterSwitch)).resolves.toBeTruthy()
      await expect(verifyWithJose(server, newToken, afterSwitch)).resolves.toBeTruthy()
      expect(await server.tessera.services.verifyAccessToken(oldToken)).toMatchObject({ kid: oldKid })
      expect(await introspect(server, m2m, oldToken)).toMatchObject({ active: true, client_id: m2m.application.id })

      // Until the token expires.
      server.clock.set(oldTokenExpiresAt - SECOND)
      await keys.maintain()
      expect(await server.tessera.services.verifyAccessToken(oldToken)).not.toBeNull()
      server.clock.set(oldTokenExpiresAt + SECOND)
      await keys.maintain()
      expect(await server.tessera.services.verifyAccessToken(oldToken)).toBeNull()
      expect(await introspect(server, m2m, oldToken)).toEqual({ active: false })

      // After the longest token lifetime, the retired key leaves the JWKS.
      const maxTtl = server.tessera.config.tokens.maxAccessTokenTtl * 1000
      server.clock.set(start + 30 * DAY + maxTtl - SECOND)
      await keys.maintain()
      expect(await publishedKids(server)).toContain(oldKid)
      server.clock.set(start + 30 * DAY + maxTtl)
      expect(await keys.maintain()).toBe(true)
      expect(await publishedKids(server)).toEqual([newKid])
      expect(await stateOf(server, oldKid)).toBe('removed')
      expect(kidOf(await issue(server, m2m))).toBe(newKid)
    })
  })
}

// Many instances share one database only on PostgreSQL (docs/architecture.md §7); SQLite is one process's store.
for (const dialect of ['postgres'] as const) {
  describe(`key maintenance by several instances at once on ${dialect}`, () => {
    it('creates a single active key when two instances start on an empty database at once', async () => {
      const database = createTestDatabase(dialect)
      try {
        const config = loadConfig({
          env: {},
          overrides: { databaseUrl: database.url, masterKey: randomBytes(32).toString('base64url'), issuer: ISSUER, logLevel: 'silent' },
        })
        const first = await createTessera(config, { passwordEstimator: sharedSourcePasswordEstimator() })
        others.push(first)
        const second = await createTessera(config, { passwordEstimator: sharedSourcePasswordEstimator() })
        others.push(second)
        await Promise.all([first.services.keys.maintain(), second.services.keys.maintain()])
        const keys = await first.services.keys.list()
        expect(keys.map((key) => key.state)).toEqual(['active'])
        expect((await first.services.keys.signer()).kid).toBe((await second.services.keys.signer()).kid)
      } finally {
        for (const tessera of others.splice(0)) await tessera.close()
        await database.drop()
      }
    })

    it('publishes a single next key, then rotates to it, when two instances apply the schedule at once', async () => {
      const server = await startServer({ dialect })
      const second = await createTessera(server.tessera.config, { clock: server.clock, passwordEstimator: sharedSourcePasswordEstimator() })
      others.push(second)
      const both = () => Promise.all([server.tessera.services.keys.maintain(), second.services.keys.maintain()])
      const [first] = await server.tessera.services.keys.list()

      server.clock.advance(29 * DAY)
      await both()
      const current = await server.tessera.services.keys.list()
      expect(current.map((key) => key.state)).toEqual(['active', 'next'])

      server.clock.advance(DAY)
      await both()
      await both()
      const rotated = await server.tessera.services.keys.list()
      expect(rotated.map((key) => key.state)).toEqual(['retired', 'active'])
      expect(rotated[0]?.kid).toBe(first?.kid)
      expect(rotated[1]?.kid).toBe(current[1]?.kid)
    })
  })
}

describe('manual rotation', () => {
  it('publishes a next key that signs only once the pre-publication window has passed', async () => {
    const server = await startServer()
    const keys = server.tessera.services.keys
    const m2m = await registerM2m(server)
    const oldKid = kidOf(await issue(server, m2m))

    const next = await keys.rotate({ immediate: false, actor: CLI })
    expect(next.state).toBe('next')
    expect(next.activatesAt).toBe(server.clock.now() + server.tessera.config.keys.prePublish * 1000)
    expect((await publishedKids(server)).sort()).toEqual([oldKid, next.kid].sort())
    expect(kidOf(await issue(server, m2m))).toBe(oldKid)

    server.clock.advance(server.tessera.config.keys.prePublish * 1000 - SECOND)
    await keys.maintain()
    expect(kidOf(await issue(server, m2m))).toBe(oldKid)

    server.clock.advance(SECOND)
    await keys.maintain()
    expect(kidOf(await issue(server, m2m))).toBe(next.kid)
    expect(await stateOf(server, oldKid)).toBe('retired')
  })

  it('signs with the new key at once when the rotation is immediate, keeping the old one published', async () => {
    const server = await startServer()
    const keys = server.tessera.services.keys
    const m2m = await registerM2m(server)
    const oldToken = await issue(server, m2m)
    const oldKid = kidOf(oldToken)

    const rotated = await keys.rotate({ immediate: true, actor: CLI })
    expect(rotated.state).toBe('active')
    expect(rotated.kid).not.toBe(oldKid)
    expect(kidOf(await issue(server, m2m))).toBe(rotated.kid)
    expect(await stateOf(server, oldKid)).toBe('retired')
    expect((await publishedKids(server)).sort()).toEqual([oldKid, rotated.kid].sort())
    expect(await server.tessera.services.verifyAccessToken(oldToken)).not.toBeNull()
  })
})

describe('key revocation', () => {
  it('unpublishes a revoked active key at once, kills its tokens, and signs with a new key', async () => {
    const server = await startServer()
    const { keys, verifyAccessToken } = server.tessera.services
    const m2m = await registerM2m(server)
    const token = await issue(server, m2m)
    const kid = kidOf(token)
    expect(await introspect(server, m2m, token)).toMatchObject({ active: true })

    const revoked = await keys.revoke(kid, CLI)
    expect(revoked).toMatchObject({ kid, state: 'revoked', revokedAt: server.clock.now() })

    const jwks = await fetchJwks(server)
    expect(jwks.keys.map((key) => key.kid)).not.toContain(kid)
    expect(jwks.keys).toHaveLength(1)
    expect(await verifyAccessToken(token)).toBeNull()
    expect(await introspect(server, m2m, token)).toEqual({ active: false })
    await expect(verifyWithJose(server, token, jwks)).rejects.toThrow()

    const fresh = await issue(server, m2m)
    expect(kidOf(fresh)).not.toBe(kid)
    expect(kidOf(fresh)).toBe(jwks.keys[0]?.kid)
    expect(await verifyAccessToken(fresh)).not.toBeNull()

    const log = await server.tessera.stores.revocations.listAfter(0, 100)
    expect(log.map((entry) => entry.entry)).toContainEqual({ kind: 'key', kid })
    const events = await server.tessera.stores.events.listAfter(0, 1000)
    const event = events.find((each) => each.type === 'key.revoked')
    expect(event?.payload).toMatchObject({ kid })
    expect(event?.actor).toEqual(CLI)
  })

  it('refuses to revoke an unknown or already revoked key with key_not_found', async () => {
    const server = await startServer()
    const keys = server.tessera.services.keys
    await expect(keys.revoke('no-such-kid', CLI)).rejects.toMatchObject({ name: 'TesseraError', code: 'key_not_found' })
    const [active] = await keys.list()
    await keys.revoke(active?.kid as string, CLI)
    await expect(keys.revoke(active?.kid as string, CLI)).rejects.toMatchObject({ code: 'key_not_found' })
  })
})

describe('the master key', () => {
  it('is generated once into <dataDir>/master.key with mode 0600 in development, and reused', () => {
    const dataDir = join(tempDir(), 'data')
    const first = loadMasterKey({ configured: '', dataDir })
    expect(first.generated).toBe(true)
    expect(first.key).toHaveLength(32)
    const path = join(dataDir, 'master.key')
    expect(existsSync(path)).toBe(true)
    expect(statSync(path).mode & 0o777).toBe(0o600)

    const second = loadMasterKey({ configured: '', dataDir })
    expect(second.generated).toBe(false)
    expect(second.key.equals(first.key)).toBe(true)
  })

  it('tightens a master key file that others can read', () => {
    const dataDir = tempDir()
    const first = loadMasterKey({ configured: '', dataDir })
    const path = join(dataDir, 'master.key')
    chmodSync(path, 0o644)
    expect(loadMasterKey({ configured: '', dataDir }).key.equals(first.key)).toBe(true)
    expect(statSync(path).mode & 0o777).toBe(0o600)
  })

  it('prefers the configured key and never writes a file then', () => {
    const dataDir = tempDir()
    const configured = randomBytes(32)
    const loaded = loadMasterKey({ configured: configured.toString('base64url'), dataDir })
    expect(loaded).toMatchObject({ generated: false })
    expect(loaded.key.equals(configured)).toBe(true)
    expect(existsSync(join(dataDir, 'master.key'))).toBe(false)
  })

  it('refuses a malformed master key, configured or on disk', () => {
    for (const bad of ['not-a-key', randomBytes(16).toString('base64url'), randomBytes(64).toString('base64url'), '!'.repeat(43)]) {
      expect(() => parseMasterKey(bad)).toThrow(MasterKeyError)
      expect(() => loadMasterKey({ configured: bad, dataDir: tempDir() })).toThrow(MasterKeyError)
      expect(() => loadConfig({ env: { TESSERA_MASTER_KEY: bad } })).toThrow(ConfigError)
    }
    const dataDir = tempDir()
    writeFileSync(join(dataDir, 'master.key'), 'garbage\n', { mode: 0o600 })
    expect(() => loadMasterKey({ configured: '', dataDir })).toThrow(MasterKeyError)
    // The bad file is left alone, never silently replaced (that would orphan every stored key).
    expect(readFileSync(join(dataDir, 'master.key'), 'utf8')).toBe('garbage\n')
  })

  it('is generated by the first start of a development server and reused by the next', async () => {
    const dataDir = tempDir()
    const env = { TESSERA_DATA_DIR: dataDir, TESSERA_DATABASE_URL: `sqlite:${join(dataDir, 'tessera.db')}`, TESSERA_LOG_LEVEL: 'silent' }
    const first = await createTessera(loadConfig({ env }), { passwordEstimator: sharedSourcePasswordEstimator() })
    others.push(first)
    expect(first.masterKeyGenerated).toBe(true)
    await first.services.keys.maintain()
    const kid = (await first.services.keys.signer()).kid
    await first.close()
    others.splice(others.indexOf(first), 1)

    const second = await createTessera(loadConfig({ env }), { passwordEstimator: sharedSourcePasswordEstimator() })
    others.push(second)
    expect(second.masterKeyGenerated).toBe(false)
    // The same master key decrypts the key the first start stored.
    expect((await second.services.keys.signer()).kid).toBe(kid)
  })

  it('is required in production: the configuration is refused without one, naming masterKey', () => {
    const env = { TESSERA_ENV: 'production', TESSERA_ISSUER: ISSUER }
    let thrown: unknown
    try {
      loadConfig({ env })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ConfigError)
    expect((thrown as ConfigError).problems.some((problem) => problem.startsWith('masterKey'))).toBe(true)
    expect(loadConfig({ env: { ...env, TESSERA_MASTER_KEY: randomBytes(32).toString('base64url') } }).env).toBe('production')
  })
})
