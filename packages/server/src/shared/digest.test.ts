import { describe, expect, it } from 'vitest'
import { digestMatches, digestsEqual, heldDigests, sha256 } from './digest.js'

describe('sha256', () => {
  it('is the SHA-256 of the UTF-8 bytes, as base64url (FIPS 180-2 "abc" vector)', () => {
    expect(sha256('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
    expect(sha256('é')).toBe('SplVfkAzw1Od4utlRyAXytX5VX96BiWgnxw_biumnEw')
  })
})

describe('digestsEqual', () => {
  it('is true only for the same digest', () => {
    expect(digestsEqual(sha256('a'), sha256('a'))).toBe(true)
    expect(digestsEqual(sha256('a'), sha256('b'))).toBe(false)
    expect(digestsEqual(sha256('a'), sha256('a').slice(1))).toBe(false)
  })
})

describe('digestMatches', () => {
  it('is true only for the digest its owner holds now (issue 17: the stored bytes made once per owner)', () => {
    const held = heldDigests()
    const owner = {}
    expect(digestMatches(held(owner, sha256('a')), sha256('a'))).toBe(true)
    expect(digestMatches(held(owner, sha256('a')), sha256('b'))).toBe(false)
    expect(digestMatches(held(owner, sha256('a')), sha256('a').slice(1))).toBe(false)
    // The same owner given another digest: the bytes held for the first must not answer for it.
    expect(digestMatches(held(owner, sha256('b')), sha256('a'))).toBe(false)
    expect(digestMatches(held(owner, sha256('b')), sha256('b'))).toBe(true)
  })
})

describe('heldDigests peek', () => {
  it('finds only the bytes held for that owner and that digest, and holds nothing itself', () => {
    const held = heldDigests()
    const owner = {}
    expect(held.peek(owner, sha256('a'))).toBeUndefined()
    // Peeking held nothing: still nothing to find.
    expect(held.peek(owner, sha256('a'))).toBeUndefined()
    const bytes = held(owner, sha256('a'))
    expect(held.peek(owner, sha256('a'))).toBe(bytes)
    // Another digest for the same owner, or another owner: not the bytes held.
    expect(held.peek(owner, sha256('b'))).toBeUndefined()
    expect(held.peek({}, sha256('a'))).toBeUndefined()
  })
})
