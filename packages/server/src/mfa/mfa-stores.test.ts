import { describe, expect, it } from 'vitest'
import { DIALECTS, openMigratedTestDatabase } from '../../test/test-database.js'
import type { DialectName } from '../store/open-database.js'
import { createUserStore } from '../users/user-store.js'
import type { MfaFactor } from './mfa-factor.js'
import { createMfaFactorStore } from './mfa-factor-store.js'
import { createRecoveryCodeStore } from './recovery-code-store.js'

// Well past 2^32, so a time that came back as a string or was truncated to 32 bits shows.
const T0 = Date.parse('2026-01-01T00:00:00Z')

async function open(dialect: DialectName) {
  const database = await openMigratedTestDatabase(dialect)
  const users = createUserStore(database.db)
  const userId = `usr_${Math.random().toString(36).slice(2, 12)}`
  await users.insert({ id: userId, email: `${userId}@example.com`, status: 'active', tokenVersion: 1, createdAt: T0, updatedAt: T0 })
  return { db: database.db, users, userId, factors: createMfaFactorStore(database.db), codes: createRecoveryCodeStore(database.db) }
}

function aTotp(userId: string, overrides: Partial<MfaFactor> = {}): MfaFactor {
  return {
    id: `mfa_${Math.random().toString(36).slice(2, 12)}`,
    userId,
    kind: 'totp',
    name: 'Phone',
    status: 'pending',
    totp: { sealedSecret: 'v1.sealed', lastStep: null },
    webauthn: null,
    createdAt: T0,
    confirmedAt: null,
    lastUsedAt: null,
    ...overrides,
  }
}

for (const dialect of DIALECTS) {
  describe(`MFA stores on ${dialect}`, () => {
    it('stores a TOTP factor, activates it once, and accepts each time step once, in order', async () => {
      const { factors, userId } = await open(dialect)
      const factor = aTotp(userId)
      await factors.insert(factor)
      expect(await factors.findById(factor.id)).toEqual(factor)
      expect(await factors.activate(factor.id, T0 + 1)).toBe(true)
      expect(await factors.activate(factor.id, T0 + 2)).toBe(false)
      const step = Math.floor((T0 + 5_000_000_000) / 30_000) // a step far past 2^32 ms-worth of seconds
      expect(await factors.acceptTotpStep(factor.id, step, T0 + 3)).toBe(true)
      expect(await factors.acceptTotpStep(factor.id, step, T0 + 4)).toBe(false)
      expect(await factors.acceptTotpStep(factor.id, step - 1, T0 + 5)).toBe(false)
      expect(await factors.acceptTotpStep(factor.id, step + 1, T0 + 6)).toBe(true)
      expect(await factors.findById(factor.id)).toMatchObject({
        status: 'active',
        confirmedAt: T0 + 1,
        lastUsedAt: T0 + 6,
        totp: { lastStep: step + 1 },
      })
    })

    it('lets only one of two racing requests accept the same step', async () => {
      const { factors, userId } = await open(dialect)
      const factor = aTotp(userId, { status: 'active' })
      await factors.insert(factor)
      const results = await Promise.all(Array.from({ length: 5 }, () => factors.acceptTotpStep(factor.id, 1000, T0)))
      expect(results.filter(Boolean)).toHaveLength(1)
    })

    it('stores a WebAuthn credential, finds it by credential id, and refuses the same credential for another user', async () => {
      const { factors, users, userId } = await open(dialect)
      const credential = {
        credentialId: 'Y3JlZC0x',
        publicKey: 'cHVibGljLWtleQ',
        counter: 0,
        transports: ['internal', 'hybrid'],
        backedUp: true,
        deviceType: 'multiDevice' as const,
      }
      const factor: MfaFactor = { ...aTotp(userId), kind: 'webauthn', name: 'Laptop', status: 'active', totp: null, webauthn: credential }
      await factors.insert(factor)
      expect(await factors.findByCredentialId('Y3JlZC0x')).toEqual(factor)
      expect(await factors.recordWebAuthnUse(factor.id, 7, false, T0 + 9)).toBe(true)
      expect(await factors.findById(factor.id)).toMatchObject({ lastUsedAt: T0 + 9, webauthn: { counter: 7, backedUp: false } })
      await users.insert({ id: 'usr_other', email: 'other@example.com', status: 'active', tokenVersion: 1, createdAt: T0, updatedAt: T0 })
      await expect(factors.insert({ ...factor, id: 'mfa_other', userId: 'usr_other' })).rejects.toThrow()
    })

    it('lists a user’s factors in creation order, drops pending ones of a kind, and deletes one or all', async () => {
      const { factors, userId } = await open(dialect)
      const first = aTotp(userId, { status: 'active', createdAt: T0 })
      const pending = aTotp(userId, { createdAt: T0 + 1 })
      await factors.insert(pending)
      await factors.insert(first)
      expect((await factors.listByUser(userId)).map((factor) => factor.id)).toEqual([first.id, pending.id])
      expect(await factors.deletePending(userId, 'totp')).toBe(1)
      expect((await factors.listByUser(userId)).map((factor) => factor.id)).toEqual([first.id])
      expect(await factors.delete(first.id)).toBe(true)
      expect(await factors.delete(first.id)).toBe(false)
      await factors.insert(aTotp(userId))
      expect(await factors.deleteAllOfUser(userId)).toBe(1)
    })

    it('keeps recovery codes single use, and a new set voids the old', async () => {
      const { codes, userId } = await open(dialect)
      await codes.replaceAll(userId, ['h1', 'h2'], T0)
      expect((await codes.listUnused(userId)).sort()).toEqual(['h1', 'h2'])
      expect(await codes.markUsed(userId, 'h1', T0 + 1)).toBe(true)
      expect(await codes.markUsed(userId, 'h1', T0 + 2)).toBe(false)
      expect(await codes.listUnused(userId)).toEqual(['h2'])
      await codes.replaceAll(userId, ['h3'], T0 + 3)
      expect(await codes.listUnused(userId)).toEqual(['h3'])
      expect(await codes.markUsed(userId, 'h2', T0 + 4)).toBe(false)
    })

    it('removes a user’s factors and codes with the user', async () => {
      const { db, factors, codes, userId } = await open(dialect)
      await factors.insert(aTotp(userId))
      await codes.replaceAll(userId, ['h1'], T0)
      await db.deleteFrom('users').where('id', '=', userId).execute()
      expect(await factors.listByUser(userId)).toEqual([])
      expect(await codes.listUnused(userId)).toEqual([])
    })
  })
}
