import { describe, expect, it } from 'vitest'
import { reconnectDelay } from './reconnect-delay.js'

describe('the feed’s reconnection delay', () => {
  it('doubles with each failure up to the cap, with half of it jittered', () => {
    const at = (random: number, failures: number) => reconnectDelay({ initialDelay: 250, maxDelay: 10_000, random: () => random }, failures)
    expect([0, 1, 2, 3].map((failures) => at(0.999999, failures)).map(Math.round)).toEqual([250, 500, 1000, 2000])
    expect([0, 1, 2, 3].map((failures) => at(0, failures))).toEqual([125, 250, 500, 1000])
    expect(at(0.999999, 50)).toBeLessThanOrEqual(10_000)
    expect(at(0, 50)).toBe(5_000)
  })
})
