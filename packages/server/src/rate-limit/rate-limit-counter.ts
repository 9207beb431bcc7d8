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
  /**
   * Counts one request for `key` and returns its window (a new one once the last has ended).
   * `carried` is the window the other counter was counting for this key (see withFallback): its
   * count is a floor, and a window this counter starts ends when it did.
   */
  hit(key: string, windowMs: number, now: number, carried?: RateLimitWindow): Promise<RateLimitWindow>
}

/** Enough for the clients of a busy instance within one window; past it the oldest key is forgotten. */
const MAX_REMEMBERED_WINDOWS = 10_000

/**
 * Redis first; while Redis cannot answer, the database. Both are shared by every instance, so the
 * limit holds across instances during a Redis outage too. Neither sees what the other counted, so
 * each instance remembers the last window it was told for each key and hands it over on a switch:
 * the count goes on from there instead of restarting from zero, in either direction. What is lost
 * is at most the requests in flight at the switch (docs/operations.md, Rate limits).
 */
export function withFallback(
  primary: RateLimitCounter,
  fallback: RateLimitCounter,
  maxRemembered = MAX_REMEMBERED_WINDOWS,
): RateLimitCounter {
  const last = new Map<string, RateLimitWindow>()
  const remember = (key: string, window: RateLimitWindow) => {
    last.delete(key) // re-inserted, so the map's order is least recently counted first
    last.set(key, window)
    if (last.size > maxRemembered) last.delete(last.keys().next().value as string)
  }
  return {
    async hit(key, windowMs, now) {
      const known = last.get(key)
      const carried = known && known.resetAt > now ? known : undefined
      let window: RateLimitWindow
      try {
        window = await primary.hit(key, windowMs, now, carried)
      } catch {
        window = await fallback.hit(key, windowMs, now, carried)
      }
      remember(key, window)
      return window
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
