import { describe, expect, it } from 'vitest'
import { firstOfFamily, refreshIdleMs, successorOf } from './refresh-family.js'

const NOW = Date.parse('2026-01-01T00:00:00Z')
const HOUR = 3_600_000
const policy = { idleTtlMs: 24 * HOUR, absoluteTtlMs: 30 * 24 * HOUR, graceMs: 10_000 }
const binding = {
  idTokenScope: null,
  sessionId: 'sess_1',
  userId: 'usr_1',
  clientId: 'app_1',
  api: 'https://api.example.test',
  scope: ['read'],
  authTime: NOW - HOUR,
  sessionAbsoluteExpiresAt: NOW + 7 * 24 * HOUR,
}
const issued = { id: 'rt_1', secretHash: 'hash', token: 'rt_1.secret' }

describe('a refresh family (RFC 9700 §4.14.2)', () => {
  it("idles out after the client's own setting, or the server's", () => {
    expect(refreshIdleMs(null, policy)).toBe(24 * HOUR)
    expect(refreshIdleMs(60, policy)).toBe(60_000)
  })

  it('opens with a token that names the family and never outlives the session', () => {
    const first = firstOfFamily(issued, binding, NOW, policy.idleTtlMs, policy)
    expect(first).toMatchObject({ id: 'rt_1', familyId: 'rt_1', parentId: null, sessionId: 'sess_1', usedAt: null, revokedAt: null })
    expect(first.familyExpiresAt).toBe(binding.sessionAbsoluteExpiresAt)
    expect(first.expiresAt).toBe(NOW + 24 * HOUR)
    expect(first).not.toHaveProperty('sessionAbsoluteExpiresAt')
  })

  it("ends a family at the server's absolute lifetime when the session lasts longer", () => {
    const first = firstOfFamily(issued, { ...binding, sessionAbsoluteExpiresAt: NOW + 365 * 24 * HOUR }, NOW, policy.idleTtlMs, policy)
    expect(first.familyExpiresAt).toBe(NOW + policy.absoluteTtlMs)
  })

  it('gives a successor a fresh idle expiry, never past the end of its family', () => {
    const first = firstOfFamily(issued, binding, NOW, policy.idleTtlMs, policy)
    const later = NOW + 6 * 24 * HOUR + 23 * HOUR
    const next = successorOf(first, { id: 'rt_2', secretHash: 'hash2' }, later, ['read'], policy.idleTtlMs)
    expect(next).toMatchObject({ id: 'rt_2', familyId: 'rt_1', parentId: 'rt_1', createdAt: later, usedAt: null })
    expect(next.expiresAt).toBe(first.familyExpiresAt)
  })
})
