import { randomBytes, randomInt } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decodedLength, isCanonical, parseCompactJws } from './compact-jws.js'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** The rule as first written: a part is canonical when decoding and encoding it again gives it back. */
function roundTrips(part: string): boolean {
  return Buffer.from(part, 'base64url').toString('base64url') === part
}

describe('the canonical base64url check, without decoding', () => {
  it('agrees with the decode-and-encode round trip on every part of one to three characters', () => {
    let parts = ['']
    for (let length = 1; length <= 3; length++) {
      parts = parts.flatMap((prefix) => [...ALPHABET].map((character) => prefix + character))
      const disagreements = parts.filter((part) => isCanonical(part, 0, part.length) !== roundTrips(part))
      expect(disagreements, `length ${length}`).toEqual([])
    }
  })

  it('agrees with the round trip on random parts of every length up to 100, and finds them inside a token', () => {
    for (let length = 1; length <= 100; length++) {
      for (let sample = 0; sample < 40; sample++) {
        const part = Array.from({ length }, () => ALPHABET[randomInt(64)]).join('')
        expect(isCanonical(part, 0, part.length), part).toBe(roundTrips(part))
        // The same part between two others, as parseCompactJws reads it.
        const token = `ab.${part}.cd`
        expect(isCanonical(token, 3, 3 + length), token).toBe(roundTrips(part))
      }
    }
  })

  it('accepts what a base64url encoder writes, whatever the bytes, and knows how many bytes it holds', () => {
    for (let size = 0; size <= 70; size++) {
      const bytes = randomBytes(size)
      const part = bytes.toString('base64url')
      expect(isCanonical(part, 0, part.length)).toBe(true)
      expect(decodedLength(part.length)).toBe(size)
    }
  })

  it('finds the parts of a token by position, and refuses one that is not canonical', () => {
    expect(parseCompactJws('eyJh.eyJi.c2ln')).toEqual({ token: 'eyJh.eyJi.c2ln', headerEnd: 4, payloadEnd: 9 })
    // "c2k" and "c2l" decode to the same two bytes ("si"); only the first leaves the 2 unused bits at zero.
    expect(Buffer.from('c2l', 'base64url')).toEqual(Buffer.from('c2k', 'base64url'))
    expect(parseCompactJws('eyJh.eyJi.c2k')).not.toBeNull()
    expect(parseCompactJws('eyJh.eyJi.c2l')).toBeNull()
    expect(parseCompactJws('eyJh.eyJ.c2k')).toBeNull() // "eyJ": 2 unused bits set
    expect(parseCompactJws('eyJh.eyJi.c')).toBeNull() // 4n + 1 characters hold no whole byte
  })
})
