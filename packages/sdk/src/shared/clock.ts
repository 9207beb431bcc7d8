/**
 * The source of time for the verifier, in milliseconds since the Unix epoch. Inject one to freeze
 * time in tests instead of sleeping.
 *
 * @example
 * let now = Date.parse('2026-01-01T00:00:00Z')
 * const clock: Clock = { now: () => now }
 * now += 60_000 // a minute later, without waiting
 */
export interface Clock {
  now(): number
}

/**
 * The wall clock.
 *
 * @example
 * createVerifier({ issuer, audience, mode: 'jwt', clock: systemClock })
 */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() })
