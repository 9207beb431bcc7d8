/** One window of a per-IP limiter: how many requests it has counted, and when it starts again. */
export interface RateLimitWindow {
  count: number
  resetAt: number
}

/**
 * Counts requests per key in fixed windows, in a place every instance shares (Redis, or the
 * database), so N instances behind a balancer allow the limit once, not N times (issue 18 part 2).
 */
export interface RateLimitCounter {
  /** Counts one request for `key` and returns its window (a new one once the last has ended). */
  hit(key: string, windowMs: number, now: number): Promise<RateLimitWindow>
}

/**
 * Redis first; while Redis cannot answer, the database. Both are shared by every instance, so the
 * limit holds across instances even during a Redis outage (it restarts from zero on the switch,
 * at most once per window).
 */
export function withFallback(primary: RateLimitCounter, fallback: RateLimitCounter): RateLimitCounter {
  return {
    async hit(key, windowMs, now) {
      try {
        return await primary.hit(key, windowMs, now)
      } catch {
        return fallback.hit(key, windowMs, now)
      }
    },
  }
}

/** A per-IP limiter's settings, as the routes receive them. */
export interface PerIpLimit {
  max: number
  /** Milliseconds. */
  timeWindow: number
  /** The limiter's budget: its counters are kept under this name, the same on every instance. */
  limiter: string
}
