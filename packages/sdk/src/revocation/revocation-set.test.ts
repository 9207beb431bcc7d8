import { describe, expect, it } from 'vitest'
import type { RevocationEntry } from './revocation-entry.js'
import { parseRevocationEntry } from './revocation-entry.js'
import { createRevocationSet, type RevocableToken } from './revocation-set.js'

const T0 = Date.parse('2026-01-01T00:00:00Z')
const token: RevocableToken = {
  kid: 'k1',
  jti: 'j1',
  sub: 'u1',
  clientId: 'c1',
  sid: 's1',
  tokenVersion: 3,
  iat: T0 / 1000,
  audiences: ['https://a1'],
}
const at = { createdAt: T0, expiresAt: T0 + 3_600_000 }

describe('the revocation set applies each rule of docs/revocation-feed.md', () => {
  const cases: [string, RevocationEntry, RevocableToken | null][] = [
    ['its session', { seq: 1, kind: 'session', sid: 's1', ...at }, { ...token, sid: 's2' }],
    ['its jti', { seq: 1, kind: 'access_token', jti: 'j1', ...at }, { ...token, jti: 'j2' }],
    ['its signing key', { seq: 1, kind: 'key', kid: 'k1', ...at }, { ...token, kid: 'k2' }],
    [
      'a token version above its own',
      { seq: 1, kind: 'user_token_version', sub: 'u1', minTokenVersion: 4, ...at },
      { ...token, tokenVersion: 4 },
    ],
    ['a client cut-off at or after its iat', { seq: 1, kind: 'client', clientId: 'c1', ...at }, { ...token, iat: T0 / 1000 + 1 }],
    // Issue 16: a deleted API; a token for another API, or issued after the deletion, is spared.
    ['its API’s deletion at or after its iat', { seq: 1, kind: 'api', aud: 'https://a1', ...at }, { ...token, audiences: ['https://a2'] }],
    ['the deletion of one of its audiences', { seq: 1, kind: 'api', aud: 'https://a1', ...at }, { ...token, iat: T0 / 1000 + 1 }],
  ]
  for (const [what, entry, spared] of cases) {
    it(`kills a token by ${what}, and spares one it does not name`, () => {
      const set = createRevocationSet()
      expect(set.revokes(token)).toBeNull()
      set.apply(entry)
      expect(set.revokes(token)).toBe(entry.kind)
      if (spared) expect(set.revokes(spared)).toBeNull()
    })
  }

  it('never kills a token without tessera_tv by a token version (machine tokens)', () => {
    const set = createRevocationSet()
    set.apply({ seq: 1, kind: 'user_token_version', sub: 'u1', minTokenVersion: 9, ...at })
    expect(set.revokes({ ...token, tokenVersion: null })).toBeNull()
  })

  it('keeps the highest cut-off of several entries for one subject', () => {
    const set = createRevocationSet()
    set.apply({ seq: 1, kind: 'user_token_version', sub: 'u1', minTokenVersion: 5, ...at })
    set.apply({ seq: 2, kind: 'user_token_version', sub: 'u1', minTokenVersion: 4, ...at })
    expect(set.revokes({ ...token, tokenVersion: 4 })).toBe('user_token_version')
    expect(set.revokes({ ...token, tokenVersion: 5 })).toBeNull()
  })

  it('replaces everything with a snapshot', () => {
    const set = createRevocationSet()
    set.apply({ seq: 1, kind: 'session', sid: 's1', ...at })
    set.replace([{ seq: 2, kind: 'access_token', jti: 'other', ...at }])
    expect(set.revokes(token)).toBeNull()
    expect(set.revokes({ ...token, jti: 'other' })).toBe('access_token')
    expect(set.size).toBe(1)
  })

  it('drops entries after their expiresAt', () => {
    const set = createRevocationSet()
    set.apply({ seq: 1, kind: 'session', sid: 's1', createdAt: T0, expiresAt: T0 + 1000 })
    set.apply({ seq: 2, kind: 'client', clientId: 'c1', createdAt: T0, expiresAt: T0 + 5000 })
    set.prune(T0 + 999)
    expect(set.size).toBe(2)
    set.prune(T0 + 1000)
    expect(set.size).toBe(1)
    set.prune(T0 + 5000)
    expect(set.size).toBe(0)
  })
})

describe('a revocation entry from the wire', () => {
  it('is read when it has its kind’s fields', () => {
    expect(parseRevocationEntry({ seq: 42, kind: 'session', sid: 'abc', createdAt: 1, expiresAt: 2 })).toEqual({
      seq: 42,
      kind: 'session',
      sid: 'abc',
      createdAt: 1,
      expiresAt: 2,
    })
  })

  it('keeps exactly its kind’s fields, for every kind (each is built field by field)', () => {
    const times = { seq: 7, createdAt: 1795758238000, expiresAt: 1795761838000 }
    for (const fields of [
      { kind: 'session', sid: 's' },
      { kind: 'user_token_version', sub: 'u', minTokenVersion: 3 },
      { kind: 'access_token', jti: 'j' },
      { kind: 'key', kid: 'k' },
      { kind: 'client', clientId: 'c' },
      { kind: 'api', aud: 'https://api.example' },
    ]) {
      // Fields of other kinds and unknown ones are not carried over.
      const wire = { ...times, ...fields, sid: 'other', extra: true, ...('sid' in fields ? { sid: fields.sid } : {}) }
      expect(parseRevocationEntry(wire)).toStrictEqual({ ...times, ...fields })
    }
  })

  it('is null when malformed or of an unknown kind', () => {
    for (const value of [
      null,
      [],
      { seq: 1, kind: 'session', createdAt: 1, expiresAt: 2 },
      { seq: '1', kind: 'session', sid: 'a', createdAt: 1, expiresAt: 2 },
      { seq: 1, kind: 'user_token_version', sub: 'u', minTokenVersion: '2', createdAt: 1, expiresAt: 2 },
      { seq: 1, kind: 'device', id: 'd', createdAt: 1, expiresAt: 2 },
      { seq: 1, kind: 'key', kid: 'k', createdAt: 1 },
    ]) {
      expect(parseRevocationEntry(value)).toBeNull()
    }
  })
})
