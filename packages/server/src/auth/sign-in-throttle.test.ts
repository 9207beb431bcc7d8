import { describe, expect, it } from 'vitest'
import { afterFailure, type ThrottlePolicy, throttleWait } from './sign-in-throttle.js'

const policy: ThrottlePolicy = { freeFailures: 3, backoffBaseMs: 1000, backoffMaxMs: 8000 }

describe('sign-in throttle', () => {
  it('allows the free failures, then locks with a doubling, capped back-off', () => {
    let state = null as ReturnType<typeof afterFailure> | null
    const locks: (number | null)[] = []
    for (let i = 0; i < 7; i++) {
      state = afterFailure(state, policy, 0)
      locks.push(state.lockedUntil)
    }
    expect(locks).toEqual([null, null, 1000, 2000, 4000, 8000, 8000])
    expect(state?.failures).toBe(7)
  })

  it('waits until the lock ends, then lets the account try', () => {
    const state = { failures: 3, lockedUntil: 5000 }
    expect(throttleWait(state, 1000)).toBe(4000)
    expect(throttleWait(state, 5000)).toBe(0)
    expect(throttleWait(null, 0)).toBe(0)
    expect(throttleWait({ failures: 1, lockedUntil: null }, 0)).toBe(0)
  })

  it('never overflows on a very long failure streak', () => {
    const state = afterFailure({ failures: 10_000, lockedUntil: null }, policy, 0)
    expect(state.lockedUntil).toBe(8000)
  })
})
