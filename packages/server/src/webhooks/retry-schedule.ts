import type { RandomSource } from '../shared/random.js'

/**
 * When a failed delivery is tried again: exponential back-off from 10 s, doubling, capped at 8 h,
 * each delay stretched by a random 0–25 % (jitter) so receivers coming back up are not hit by
 * every delivery at the same instant. Jitter only lengthens delays, so the schedule spans at
 * least the nominal sum: about 27 h over 15 attempts, past a receiver's day-long outage.
 */
export const RETRY_POLICY = {
  firstDelayMs: 10_000,
  maxDelayMs: 8 * 3600_000,
  maxAttempts: 15,
  jitter: 0.25,
} as const

/** The nominal (jitter-free) delay after failed attempt `attempt` (1-based). */
export function nominalDelayMs(attempt: number): number {
  return Math.min(RETRY_POLICY.maxDelayMs, RETRY_POLICY.firstDelayMs * 2 ** (attempt - 1))
}

/** When to try again after failed attempt `attempt`, or null when the delivery has failed for good. */
export function nextAttemptAt(attempt: number, now: number, random: RandomSource): number | null {
  if (attempt >= RETRY_POLICY.maxAttempts) return null
  const fraction = random.bytes(4).readUInt32BE(0) / 2 ** 32
  return now + Math.round(nominalDelayMs(attempt) * (1 + RETRY_POLICY.jitter * fraction))
}
