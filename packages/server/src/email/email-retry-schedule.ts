import type { RandomSource } from '../shared/random.js'

/**
 * When a failed send is tried again: from 30 s, doubling, capped at an hour, each delay stretched
 * by a random 0–25 % so a relay coming back up is not hit by every message at once. Ten attempts
 * span about three hours: past a relay's restart or a short outage, and past the life of the links
 * most messages carry (a message whose link has expired is not sent at all).
 */
export const EMAIL_RETRY_POLICY = {
  firstDelayMs: 30_000,
  maxDelayMs: 3600_000,
  maxAttempts: 10,
  jitter: 0.25,
} as const

/** When to try again after failed attempt `attempt` (1-based), or null when the delivery has failed for good. */
export function nextEmailAttemptAt(attempt: number, now: number, random: RandomSource): number | null {
  if (attempt >= EMAIL_RETRY_POLICY.maxAttempts) return null
  const nominal = Math.min(EMAIL_RETRY_POLICY.maxDelayMs, EMAIL_RETRY_POLICY.firstDelayMs * 2 ** (attempt - 1))
  const fraction = random.bytes(4).readUInt32BE(0) / 2 ** 32
  return now + Math.round(nominal * (1 + EMAIL_RETRY_POLICY.jitter * fraction))
}
