import { describe, expect, it } from 'vitest'
import { ORDERED_TAIL_BYTES, orderedId, randomOrderedId } from './ordered-id.js'
import { cryptoRandom } from './random.js'

const ID_SHAPE = /^[A-Za-z0-9_-]{22}$/
const NOW = Date.parse('2026-12-06T18:00:00Z')

/** Times in issue order: every millisecond of a few seconds (each 6-bit digit wraps), and spread far apart. */
function issueTimes(): number[] {
  const times = Array.from({ length: 5000 }, (_, i) => NOW + i)
  for (let shift = 0; shift < 48; shift += 3) times.push(2 ** shift, 2 ** shift + 1, 2 ** 48 - 1 - 2 ** shift)
  return [...new Set(times)].sort((a, b) => a - b)
}

describe('ordered ids', () => {
  it('sort by their issue time as plain strings (byte order, as SQLite compares text)', () => {
    const times = issueTimes()
    const ids = times.map((ms) => randomOrderedId(cryptoRandom, ms))
    const sorted = [...ids].sort()
    expect(sorted).toEqual(ids)
    for (const id of ids) expect(id).toMatch(ID_SHAPE)
  })

  it('stay unique in a burst of one millisecond', () => {
    const ids = new Set(Array.from({ length: 30_000 }, () => randomOrderedId(cryptoRandom, NOW)))
    expect(ids.size).toBe(30_000)
  })

  it('keep 84 bits of the tail, and no more', () => {
    const tail = Buffer.alloc(ORDERED_TAIL_BYTES)
    const base = orderedId(NOW, tail)
    // Each of the first 84 bits changes the id; the last 4 bits of the 11 bytes do not.
    for (let bit = 0; bit < 84; bit++) {
      const flipped = Buffer.from(tail)
      flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (0x80 >> (bit & 7))
      expect(orderedId(NOW, flipped), `bit ${bit}`).not.toBe(base)
    }
    const last = Buffer.from(tail)
    last[10] = 0x0f
    expect(orderedId(NOW, last)).toBe(base)
    expect(base.slice(0, 8)).not.toBe(orderedId(NOW + 1, tail).slice(0, 8))
  })

  it('refuses a time that is not a 48-bit count of milliseconds, and a short tail', () => {
    const tail = Buffer.alloc(ORDERED_TAIL_BYTES)
    for (const ms of [-1, 1.5, 2 ** 48, Number.NaN]) expect(() => orderedId(ms, tail), String(ms)).toThrow(RangeError)
    expect(() => orderedId(NOW, Buffer.alloc(ORDERED_TAIL_BYTES - 1))).toThrow(RangeError)
  })
})
