/** The source of time for all domain code. Milliseconds since the Unix epoch. */
export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/**
 * A clock that only moves when told to: tests freeze time with it instead of sleeping.
 * @example
 * const clock = createManualClock(Date.parse('2026-01-01T00:00:00Z'))
 * clock.advance(60_000)
 */
export interface ManualClock extends Clock {
  advance(ms: number): void
  set(ms: number): void
}

export function createManualClock(start = Date.parse('2026-01-01T00:00:00Z')): ManualClock {
  let current = start
  return {
    now: () => current,
    advance: (ms) => {
      current += ms
    },
    set: (ms) => {
      current = ms
    },
  }
}
