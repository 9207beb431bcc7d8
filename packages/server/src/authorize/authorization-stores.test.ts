import { describe, expect, it, onTestFinished } from 'vitest'
import { createTestDatabase, DIALECTS } from '../../test/test-database.js'
import { createStores, createTransact, type Stores } from '../app/stores.js'
import type { Application } from '../applications/application.js'
import { migrateToLatest } from '../store/migrate.js'
import { type DialectName, openDatabase } from '../store/open-database.js'
import type { AuthorizationCode } from '../tokens/authorization-code-store.js'
import type { AuthorizationParameters } from './authorization-request.js'

// Well past 2^32, so a time that came back as a string or was truncated to 32 bits shows.
const T0 = Date.parse('2026-01-01T00:00:00Z')

/** A migrated database of its own with one user, one session and one application. */
async function open(dialect: DialectName): Promise<{ stores: Stores; transact: ReturnType<typeof createTransact> }> {
  const test = createTestDatabase(dialect)
  const database = openDatabase(test.url)
  onTestFinished(async () => {
    await database.db.destroy()
    await test.drop()
  })
  await migrateToLatest(database)
  const stores = createStores(database.db, database.dialect)
  await stores.users.insert({ id: 'usr_1', email: 'ann@example.com', status: 'active', tokenVersion: 1, createdAt: T0, updatedAt: T0 })
  await stores.sessions.insert({
    id: 'sess_1',
    userId: 'usr_1',
    secretHash: 'h',
    createdAt: T0,
    lastActiveAt: T0,
    absoluteExpiresAt: T0 + 3_600_000,
    authTime: T0,
    amr: ['pwd'],
    userAgent: null,
    ip: null,
    revokedAt: null,
    revokedReason: null,
  })
  await stores.applications.insert(application)
  return { stores, transact: createTransact(database.db, database.dialect) }
}

const application: Application = {
  id: 'client_1',
  name: 'App',
  type: 'web',
  secretHash: 'x',
  grants: ['authorization_code'],
  redirectUris: ['https://app.example.test/cb'],
  apis: [],
  scopes: [],
  accessTokenTtl: null,
  refreshTokenTtl: null,
  firstParty: true,
  postLogoutRedirectUris: ['https://app.example.test/'],
  webOrigins: null,
  backchannelLogoutUri: null,
  backchannelLogoutSessionRequired: false,
  requirePushedAuthorizationRequests: false,
  requireMfa: false,
  createdAt: T0,
  updatedAt: T0,
}

const params: AuthorizationParameters = {
  clientId: 'client_1',
  redirectUri: 'https://app.example.test/cb',
  state: 's',
  nonce: null,
  scope: ['openid', 'email'],
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  resource: null,
  prompt: ['login'],
  maxAge: 60,
  loginHint: null,
}

function aCode(overrides: Partial<AuthorizationCode> = {}): AuthorizationCode {
  return {
    id: 'code_1',
    codeHash: 'hash_1',
    clientId: 'client_1',
    sessionId: 'sess_1',
    userId: 'usr_1',
    redirectUri: 'https://app.example.test/cb',
    codeChallenge: params.codeChallenge,
    nonce: 'n',
    scope: ['openid', 'offline_access'],
    resource: null,
    authTime: T0,
    amr: ['pwd', 'otp', 'mfa'],
    dpopJkt: null,
    createdAt: T0,
    expiresAt: T0 + 60_000,
    usedAt: null,
    familyId: null,
    ...overrides,
  }
}

for (const dialect of DIALECTS) {
  describe(`browser-flow stores on ${dialect}`, () => {
    it('keeps an application firstParty flag and post-logout redirect URIs', async () => {
      const { stores } = await open(dialect)
      expect(await stores.applications.findById('client_1')).toEqual(application)
    })

    it('finds a code by its hash, redeems it once, and prunes it after its time', async () => {
      const { stores, transact } = await open(dialect)
      await stores.authorizationCodes.insert(aCode())
      expect(await stores.authorizationCodes.findByHash('hash_1')).toEqual(aCode())
      expect(await stores.authorizationCodes.findByHash('nope')).toBeNull()
      expect(await transact((tx) => tx.authorizationCodes.redeem('code_1', T0 + 10, 'fam_1'))).toBe(true)
      expect(await transact((tx) => tx.authorizationCodes.redeem('code_1', T0 + 20, 'fam_2'))).toBe(false)
      expect(await stores.authorizationCodes.findByHash('hash_1')).toEqual(aCode({ usedAt: T0 + 10, familyId: 'fam_1' }))
      expect(await stores.authorizationCodes.prune(T0 + 60_000)).toBe(0)
      expect(await stores.authorizationCodes.prune(T0 + 60_001)).toBe(1)
    })

    it('refuses a second code with the same hash', async () => {
      const { stores } = await open(dialect)
      await stores.authorizationCodes.insert(aCode())
      await expect(stores.authorizationCodes.insert(aCode({ id: 'code_2' }))).rejects.toThrow()
    })

    it('remembers consent as the union of the scopes allowed', async () => {
      const { stores, transact } = await open(dialect)
      expect(await stores.consents.find('usr_1', 'client_1')).toBeNull()
      await transact((tx) => tx.consents.grant('usr_1', 'client_1', ['openid', 'email'], T0))
      await transact((tx) => tx.consents.grant('usr_1', 'client_1', ['openid', 'profile'], T0 + 1))
      expect(await stores.consents.find('usr_1', 'client_1')).toEqual(['openid', 'email', 'profile'])
    })
  })
}
