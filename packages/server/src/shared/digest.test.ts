import { describe, expect, it } from 'vitest'
import { digestsEqual, sha256 } from './digest.js'

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
