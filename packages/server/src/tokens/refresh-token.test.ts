import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decideRefresh, deriveSuccessor, type RefreshPolicy, type RefreshToken } from './refresh-token.js'

const policy: RefreshPolicy = { idleTtlMs: 1000 * 60, absoluteTtlMs: 1000 * 600, graceMs: 5000 }

function token(fields: Partial<RefreshToken> = {}): RefreshToken {
  return {
    id: 'a',
    familyId: 'a',
    parentId: null,
    sessionId: 's',
    userId: 'u',
    clientId: 'c',
    api: 'https://api.example.com',
    scope: ['read'],
    secretHash: 'h',
    authTime: 0,
    idTokenScope: null,
    createdAt: 0,
    expiresAt: 60_000,
    familyExpiresAt: 600_000,
    usedAt: null,
    revokedAt: null,
    ...fields,
  }
}

describe('decideRefresh', () => {
  it('rotates a fresh token', () => {
    expect(decideRefresh(token(), null, policy, 1000).kind).toBe('rotate')
  })

  it('treats revoked and expired tokens as dead', () => {
    expect(decideRefresh(token({ revokedAt: 1 }), null, policy, 2)).toEqual({ kind: 'dead', reason: 'revoked' })
    expect(decideRefresh(token(), null, policy, 60_000)).toEqual({ kind: 'dead', reason: 'expired' })
    expect(decideRefresh(token({ expiresAt: 700_000 }), null, policy, 600_000)).toEqual({ kind: 'dead', reason: 'expired' })
  })

  it('lets a replay within the grace window get the same successor, while the successor is untouched', () => {
    const used = token({ usedAt: 10_000 })
    const successor = token({ id: 'b', parentId: 'a' })
    expect(decideRefresh(used, successor, policy, 15_000).kind).toBe('replay_within_grace')
  })

  it('detects reuse after the grace window, or once the successor was itself used', () => {
    const used = token({ usedAt: 10_000 })
    expect(decideRefresh(used, token({ id: 'b' }), policy, 15_001).kind).toBe('reuse_detected')
    expect(decideRefresh(used, token({ id: 'b', usedAt: 11_000 }), policy, 12_000).kind).toBe('reuse_detected')
    expect(decideRefresh(used, null, policy, 11_000).kind).toBe('reuse_detected')
  })
})

describe('deriveSuccessor', () => {
  it('derives the same successor from the same parent, and different ones otherwise', () => {
    const key = randomBytes(32)
    const a = deriveSuccessor(key, 'parent-1')
    expect(deriveSuccessor(key, 'parent-1')).toEqual(a)
    expect(deriveSuccessor(key, 'parent-2').token).not.toBe(a.token)
    expect(deriveSuccessor(randomBytes(32), 'parent-1').token).not.toBe(a.token)
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/)
  })
})
