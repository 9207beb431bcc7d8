import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { opaqueTokenFrom } from '../shared/opaque-token.js'
import { cryptoRandom } from '../shared/random.js'
import { decideRefresh, deriveSuccessor, type RefreshPolicy, type RefreshToken, replayedSuccessor } from './refresh-token.js'

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
    expect(decideRefresh(used, successor, policy, 15_000)).toEqual({ kind: 'replay_within_grace', successor })
  })

  it('detects reuse after the grace window, or once the successor was itself used', () => {
    const used = token({ usedAt: 10_000 })
    expect(decideRefresh(used, token({ id: 'b' }), policy, 15_001).kind).toBe('reuse_detected')
    expect(decideRefresh(used, token({ id: 'b', usedAt: 11_000 }), policy, 12_000).kind).toBe('reuse_detected')
    expect(decideRefresh(used, null, policy, 11_000).kind).toBe('reuse_detected')
  })
})

const AT = Date.parse('2026-12-06T18:00:00Z')

describe('deriveSuccessor', () => {
  it('derives the same secret from the same parent, and different ones otherwise; the id is drawn', () => {
    const key = randomBytes(32)
    const a = deriveSuccessor(key, cryptoRandom, 'parent-1', AT)
    const again = deriveSuccessor(key, cryptoRandom, 'parent-1', AT)
    expect(again.secretHash).toBe(a.secretHash)
    expect(again.token.split('.')[1]).toBe(a.token.split('.')[1])
    // A replay is answered with the id recorded (replayedSuccessor), so the id need not repeat.
    expect(again.id).not.toBe(a.id)
    expect(deriveSuccessor(key, cryptoRandom, 'parent-2', AT).secretHash).not.toBe(a.secretHash)
    expect(deriveSuccessor(randomBytes(32), cryptoRandom, 'parent-1', AT).secretHash).not.toBe(a.secretHash)
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/)
  })

  it('gives successors ids that sort by the time of the rotation; the secret does not depend on it', () => {
    const key = randomBytes(32)
    const successors = Array.from({ length: 200 }, (_, i) => deriveSuccessor(key, cryptoRandom, `parent-${199 - i}`, AT + i * 7))
    const ids = successors.map((each) => each.id)
    expect([...ids].sort()).toEqual(ids)
    const later = deriveSuccessor(key, cryptoRandom, 'parent-1', AT + 1)
    const now = deriveSuccessor(key, cryptoRandom, 'parent-1', AT)
    expect(later.id).not.toBe(now.id)
    expect(later.secretHash).toBe(now.secretHash)
  })
})

describe('replayedSuccessor', () => {
  it('hands out the recorded successor, whatever its id, with the secret derived from the parent again', () => {
    const key = randomBytes(32)
    const recorded = deriveSuccessor(key, cryptoRandom, 'parent-1', AT)
    expect(replayedSuccessor(key, 'parent-1', recorded)).toEqual(recorded)
    // A successor recorded by an earlier build, under an id that was not ordered.
    const legacy = opaqueTokenFrom(randomBytes(16).toString('base64url'), recorded.token.split('.')[1] as string)
    expect(replayedSuccessor(key, 'parent-1', legacy)).toEqual(legacy)
  })

  it('hands out nothing when the derived secret is not the recorded one', () => {
    const key = randomBytes(32)
    const recorded = deriveSuccessor(key, cryptoRandom, 'parent-1', AT)
    expect(replayedSuccessor(randomBytes(32), 'parent-1', recorded)).toBeNull()
    expect(replayedSuccessor(key, 'parent-2', recorded)).toBeNull()
  })
})
