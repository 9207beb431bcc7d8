import type { Clock } from '../src/shared/clock.js'

/** A clock that moves only when told to: tests freeze time with it instead of sleeping. */
export interface ManualClock extends Clock {
  advance(ms: number): void
}

export function createManualClock(start = Date.parse('2026-01-01T00:00:00Z')): ManualClock {
  let current = start
  return {
    now: () => current,
    advance: (ms) => {
      current += ms
    },
  }
}
