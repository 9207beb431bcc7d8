import { describe, expect, it } from 'vitest'
import type { RandomSource } from '../shared/random.js'
import { nextAttemptAt, nominalDelayMs, RETRY_POLICY } from './retry-schedule.js'

const fixedRandom = (value: number): RandomSource => ({
  bytes: (length) => {
    const bytes = Buffer.alloc(length)
    bytes.writeUInt32BE(Math.floor(value * 2 ** 32), 0)
    return bytes
  },
})
const HOUR = 3600_000

describe('webhook retry schedule', () => {
  it('backs off exponentially: each delay doubles until the cap', () => {
    expect(nominalDelayMs(1)).toBe(10_000)
    expect(nominalDelayMs(2)).toBe(20_000)
    expect(nominalDelayMs(3)).toBe(40_000)
    expect(nominalDelayMs(14)).toBe(8 * HOUR)
  })

  it('keeps retrying for more than a day before giving up, even with the shortest jitter', () => {
    let at = 0
    let attempt = 1
    for (let next = nextAttemptAt(attempt, at, fixedRandom(0)); next !== null; next = nextAttemptAt(attempt, at, fixedRandom(0))) {
      at = next
      attempt += 1
    }
    expect(attempt).toBe(RETRY_POLICY.maxAttempts)
    expect(at).toBeGreaterThan(24 * HOUR)
    expect(at).toBeLessThan(36 * HOUR)
  })

  it('adds up to 25 % of jitter, and never shortens a delay', () => {
    expect(nextAttemptAt(3, 1000, fixedRandom(0))).toBe(1000 + 40_000)
    expect(nextAttemptAt(3, 1000, fixedRandom(0.5))).toBe(1000 + 45_000)
    expect(nextAttemptAt(3, 1000, fixedRandom(0.999999))).toBeLessThanOrEqual(1000 + 50_000)
  })

  it('gives up after the last attempt', () => {
    expect(nextAttemptAt(RETRY_POLICY.maxAttempts, 0, fixedRandom(0))).toBeNull()
  })
})
