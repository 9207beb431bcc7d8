import { describe, expect, it } from 'vitest'
import { DIALECTS, openMigratedTestDatabase } from '../../test/test-database.js'
import { createStores, createTransact } from '../app/stores.js'
import type { AccessTokenRecord } from './access-token.js'

const T0 = Date.parse('2026-01-01T00:00:00Z')

function aRecord(overrides: Partial<AccessTokenRecord> = {}): AccessTokenRecord {
  return {
    jti: `at_${Math.random().toString(36).slice(2, 12)}`,
    format: 'opaque',
    secretHash: 'c2VjcmV0LWhhc2g',
    familyId: null,
    sessionId: null,
    userId: null,
    clientId: 'app_client',
    api: 'https://api.example.test',
    scope: ['read'],
    tokenVersion: null,
    authTime: null,
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    revokedAt: null,
    roles: null,
    dpopJkt: null,
    tokenHash: null,
    signingKid: null,
    amr: null,
    ...overrides,
  }
}

for (const dialect of DIALECTS) {
  describe(`access token store on ${dialect}`, () => {
    it('reads a recorded token by jti and by digest with what revoking it needs, in and out of transactions', async () => {
      const database = await openMigratedTestDatabase(dialect)
      const stores = createStores(database.db, dialect)
      const transact = createTransact(database.db, dialect)
      const opaque = aRecord({ userId: 'usr_1' })
      const encrypted = aRecord({ format: 'jwe', secretHash: null, tokenHash: 'ZGlnZXN0', revokedAt: T0 + 5 })
      // The insert and the reads are compiled once per database: the second transaction reuses them.
      await transact((tx) => tx.accessTokens.insert(opaque))
      await transact((tx) => tx.accessTokens.insert(encrypted))
      const revocable = (record: AccessTokenRecord) => ({
        jti: record.jti,
        format: record.format,
        secretHash: record.secretHash,
        clientId: record.clientId,
        userId: record.userId,
        expiresAt: record.expiresAt,
        revokedAt: record.revokedAt,
      })
      expect(await stores.accessTokens.findByJti(opaque.jti)).toEqual(revocable(opaque))
      expect(await transact((tx) => tx.accessTokens.findByJti(opaque.jti))).toEqual(revocable(opaque))
      expect(await stores.accessTokens.findByTokenHash('ZGlnZXN0')).toEqual(revocable(encrypted))
      expect(await transact((tx) => tx.accessTokens.findByTokenHash('ZGlnZXN0'))).toEqual(revocable(encrypted))
      expect(await stores.accessTokens.findByJti('at_unknown')).toBeNull()
      expect(await stores.accessTokens.findByTokenHash('bm9uZQ')).toBeNull()
      // The compiled insert wrote every column: the full record reads back as it went in.
      expect(await stores.accessTokens.listLiveOfApi(opaque.api, T0)).toEqual([{ ...opaque, amr: null }])
    })
  })
}
