import type { Clock } from '../shared/clock.js'
import type { Metrics } from '../shared/metrics.js'
import { HOUR_MS, HOURS } from './activity-series.js'

/** How many recent feed-lag observations are kept (a ring: memory stays bounded). */
const LAG_SAMPLES = 1024
/** The window the lag figures describe. */
export const LAG_WINDOW_MS = 15 * 60_000

export interface FeedLag {
  /** Entries handed to this instance's feed streams within the window. */
  samples: number
  p50Ms: number | null
  p99Ms: number | null
  maxMs: number | null
}

/**
 * What this instance saw happen, kept in memory for the overview: tokens issued per hour (from
 * the same calls that count `tessera_tokens_issued_total`) and the revocation feed's lag (from
 * those of `tessera_revocation_feed_lag_seconds`). Per instance and since it started, as the
 * Prometheus series are; the stats say so. Bounded: 25 hourly counters and 1024 lag samples.
 */
export function createInstanceActivity(clock: Clock) {
  const startedAt = clock.now()
  const tokens = new Map<number, number>()
  const lags: { at: number; lagMs: number }[] = []
  let nextLag = 0
  let prunedAt = Number.NaN

  return {
    startedAt,
    tokenIssued(): void {
      const hour = Math.floor(clock.now() / HOUR_MS) * HOUR_MS
      tokens.set(hour, (tokens.get(hour) ?? 0) + 1)
      // Hours fall out of the window only when the hour changes: no walk of the map per token (issue 17).
      if (hour === prunedAt) return
      prunedAt = hour
      for (const key of tokens.keys()) if (key <= hour - HOURS * HOUR_MS) tokens.delete(key)
    },
    revocationBroadcast(lagMs: number): void {
      const sample = { at: clock.now(), lagMs: Math.max(0, lagMs) }
      if (lags.length < LAG_SAMPLES) lags.push(sample)
      else lags[nextLag] = sample
      nextLag = (nextLag + 1) % LAG_SAMPLES
    },
    /** Tokens issued in each of `HOURS` hours from `origin`. */
    tokensPerHour(origin: number): number[] {
      return Array.from({ length: HOURS }, (_, index) => tokens.get(origin + index * HOUR_MS) ?? 0)
    },
    feedLag(): FeedLag {
      const since = clock.now() - LAG_WINDOW_MS
      const recent = lags
        .filter((sample) => sample.at >= since)
        .map((sample) => sample.lagMs)
        .sort((a, b) => a - b)
      const at = (q: number) =>
        recent.length === 0 ? null : (recent[Math.min(recent.length - 1, Math.ceil(q * recent.length) - 1)] ?? null)
      return { samples: recent.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: recent.at(-1) ?? null }
    },
  }
}

export type InstanceActivity = ReturnType<typeof createInstanceActivity>

/** The metrics recorder that also tells the instance's activity what it records. */
export function observeActivity(recorder: Metrics, activity: InstanceActivity): Metrics {
  return {
    ...recorder,
    tokenIssued(grant) {
      recorder.tokenIssued(grant)
      activity.tokenIssued()
    },
    revocationBroadcast(lagMs) {
      recorder.revocationBroadcast(lagMs)
      activity.revocationBroadcast(lagMs)
    },
  }
}
