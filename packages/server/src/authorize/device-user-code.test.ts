import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { formatUserCode, generateUserCode, normalizeUserCode, USER_CODE_ALPHABET, userCodeDigest } from './device-user-code.js'

describe('user codes (RFC 8628 §6.1)', () => {
  it('draws eight characters of the twenty consonants, each about as often as the others', () => {
    const counts = new Map<string, number>()
    const random = { bytes: (length: number) => randomBytes(length) }
    for (let i = 0; i < 5_000; i++) {
      const code = generateUserCode(random)
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/)
      for (const character of code) counts.set(character, (counts.get(character) ?? 0) + 1)
    }
    expect([...counts.keys()].sort().join('')).toBe(USER_CODE_ALPHABET)
    // 40,000 draws, 2,000 expected per character: rejection sampling leaves no character favoured.
    for (const [character, count] of counts) expect(count, character).toBeGreaterThan(1_750)
    for (const [character, count] of counts) expect(count, character).toBeLessThan(2_250)
  })

  it('draws again past the bytes that would bias the first characters', () => {
    // 240..255 are rejected; 0 and 19 map to the alphabet's ends.
    const bytes = [250, 255, 240, 0, 19, 20, 39, 1, 2, 3, 4, 5]
    const random = { bytes: (length: number) => Buffer.from(bytes.splice(0, length).concat(Array(length).fill(0)).slice(0, length)) }
    expect(generateUserCode(random)).toBe('BZBZCDFG')
  })

  it('compares what people type case-insensitively, without dashes and spaces', () => {
    expect(normalizeUserCode('bcdf-ghjk')).toBe('BCDFGHJK')
    expect(normalizeUserCode(' BCDF GHJK ')).toBe('BCDFGHJK')
    expect(normalizeUserCode('BC-DF-GH-JK')).toBe('BCDFGHJK')
    for (const bad of ['', 'BCDF-GHJ', 'BCDF-GHJKL', 'ABCD-EFGH', 'BCDF-GHJ1', 'BCDF_GHJK', 'B'.repeat(65)]) {
      expect(normalizeUserCode(bad), bad).toBeNull()
    }
    expect(formatUserCode('BCDFGHJK')).toBe('BCDF-GHJK')
  })

  it('stores a keyed digest: the same code under another key gives another digest', () => {
    const one = userCodeDigest(Buffer.alloc(32, 1), 'BCDFGHJK')
    expect(one).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(userCodeDigest(Buffer.alloc(32, 1), 'BCDFGHJK')).toBe(one)
    expect(userCodeDigest(Buffer.alloc(32, 2), 'BCDFGHJK')).not.toBe(one)
  })
})
