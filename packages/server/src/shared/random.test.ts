import { describe, expect, it } from 'vitest'
import { createPooledRandom, randomToken } from './random.js'

describe('pooled CSPRNG source', () => {
  it('hands out every requested length, never the same bytes twice, across many refills of its pool', () => {
    const random = createPooledRandom()
    const seen = new Set<string>()
    const wrong: string[] = []
    // 24-byte draws do not divide the 4 KiB pool: draws meet its end and refill it.
    for (let draw = 0; draw < 5000; draw++) {
      const length = draw % 2 ? 16 : 24
      const bytes = random.bytes(length)
      if (bytes.length !== length) wrong.push(`draw ${draw}: ${bytes.length} bytes`)
      // A pool that was not refilled would hand out the zeroes left where bytes were taken.
      if (bytes.every((byte) => byte === 0)) wrong.push(`draw ${draw}: zeroes`)
      seen.add(bytes.toString('hex'))
    }
    expect(wrong).toEqual([])
    expect(seen.size).toBe(5000)
  })

  it('gives each caller its own copy: changing one draw changes no other', () => {
    const random = createPooledRandom()
    const first = random.bytes(16)
    const copy = Buffer.from(first)
    const second = random.bytes(16)
    second.fill(0)
    expect(first.equals(copy)).toBe(true)
    first.fill(1)
    expect(random.bytes(16).equals(Buffer.alloc(16, 1))).toBe(false)
  })

  it('serves requests larger than its pooled size, and tokens of the asked entropy', () => {
    const random = createPooledRandom()
    expect(random.bytes(5000).length).toBe(5000)
    // 16 bytes: 128 bits, 22 base64url characters without padding.
    expect(randomToken(random, 16)).toMatch(/^[A-Za-z0-9_-]{22}$/)
  })

  it('spreads its bytes over every value (no constant or truncated bytes)', () => {
    const random = createPooledRandom()
    const counts = new Array<number>(256).fill(0)
    for (let draw = 0; draw < 4096; draw++) for (const byte of random.bytes(16)) counts[byte] = (counts[byte] as number) + 1
    // 65,536 bytes: 256 of each value on average; a CSPRNG falls under 150 or over 380 with negligible odds.
    expect(Math.min(...counts)).toBeGreaterThan(150)
    expect(Math.max(...counts)).toBeLessThan(380)
  })
})
