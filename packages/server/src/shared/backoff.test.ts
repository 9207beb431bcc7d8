import { describe, expect, it } from 'vitest'
import { backoffDelay, RECONNECT_BACKOFF } from './backoff.js'

describe('reconnection back-off', () => {
  it('doubles from the base, never beyond the cap, with the upper half random', () => {
    const low = (attempt: number) => backoffDelay(attempt, RECONNECT_BACKOFF, () => 0)
    const high = (attempt: number) => backoffDelay(attempt, RECONNECT_BACKOFF, () => 1)
    expect([0, 1, 2, 3].map(low)).toEqual([50, 100, 200, 400])
    expect([0, 1, 2, 3].map(high)).toEqual([100, 200, 400, 800])
    expect(high(6)).toBe(5_000)
    expect(low(6)).toBe(2_500)
    // Attempt counts that would overflow 2^n stay at the cap.
    expect(high(10_000)).toBe(5_000)
  })

  it('spreads instances that lost the same server over the jitter range', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(4, RECONNECT_BACKOFF)))
    expect(delays.size).toBeGreaterThan(10)
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(800)
    for (const delay of delays) expect(delay).toBeLessThanOrEqual(1_600)
  })
})
