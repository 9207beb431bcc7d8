/** How a lost connection is retried: capped exponential back-off with jitter. */
export interface BackoffPolicy {
  /** The first delay, before jitter. */
  baseMs: number
  /** No delay is longer than this. */
  maxMs: number
}

/** Reconnection of LISTEN and Redis: first retry within 100 ms, then at most every 5 s. */
export const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 5_000 }

/**
 * The delay before retry number `attempt` (0 for the first): base × 2^attempt, capped, of which
 * the upper half is random ("equal jitter"), so instances that lost the same server do not all
 * come back in the same millisecond, and no retry comes sooner than half the nominal delay.
 * @example
 * backoffDelay(3, RECONNECT_BACKOFF) // between 400 and 800
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const nominal = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30))
  return Math.round(nominal / 2 + (random() * nominal) / 2)
}
