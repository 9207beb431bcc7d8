import type { Clock } from '../shared/clock.js'
import { FAILED, HOUR_MS, HOURS, type SignInPoint, SUCCEEDED, signInSeries, windowsAt } from './activity-series.js'
import { type FeedLag, type InstanceActivity, LAG_WINDOW_MS } from './instance-activity.js'
import type { StatsCounts, StatsStore } from './stats-store.js'

export interface StatsServiceDeps {
  store: StatsStore
  clock: Clock
  /** Sessions idle for longer are not active (the session policy's idle timeout). */
  idleTimeoutMs: number
  activity: InstanceActivity
  /** Brings the audit log up to the outbox first, so the last sign-ins are counted. */
  catchUpAudit: () => Promise<unknown>
  /** Open revocation-feed streams on this instance. */
  feedSubscribers: () => number
  webhookBacklog: () => Promise<{ pending: number; oldestCreatedAt: number | null }>
}

export interface Stats {
  generatedAt: string
  counts: StatsCounts
  /** From the audit log: every instance's sign-ins. */
  signIns: { hourly: SignInPoint[]; daily: SignInPoint[] }
  /** This instance only, since it started (as its Prometheus counter). */
  tokensIssued: { scope: 'instance'; since: string; hourly: { at: string; count: number }[] }
  revocationFeed: { scope: 'instance'; subscribers: number; lag: FeedLag & { windowSeconds: number } }
  webhooks: { pending: number; oldestPendingAt: string | null }
}

export type StatsService = ReturnType<typeof createStatsService>

/** The operator's overview in one read: counts from the stores, sign-ins from the audit log, the rest from this instance. */
export function createStatsService(deps: StatsServiceDeps) {
  const { store, clock, activity } = deps
  return {
    async read(): Promise<Stats> {
      await deps.catchUpAudit()
      const now = clock.now()
      const windows = windowsAt(now)
      const [counts, rows, backlog] = await Promise.all([
        store.counts(now, now - deps.idleTimeoutMs),
        store.hourly([SUCCEEDED, FAILED], windows.dailyOrigin),
        deps.webhookBacklog(),
      ])
      const tokens = activity.tokensPerHour(windows.hourlyOrigin)
      return {
        generatedAt: new Date(now).toISOString(),
        counts,
        signIns: signInSeries(rows, windows),
        tokensIssued: {
          scope: 'instance',
          since: new Date(activity.startedAt).toISOString(),
          hourly: Array.from({ length: HOURS }, (_, index) => ({
            at: new Date(windows.hourlyOrigin + index * HOUR_MS).toISOString(),
            count: tokens[index] ?? 0,
          })),
        },
        revocationFeed: {
          scope: 'instance',
          subscribers: deps.feedSubscribers(),
          lag: { windowSeconds: LAG_WINDOW_MS / 1000, ...activity.feedLag() },
        },
        webhooks: {
          pending: backlog.pending,
          oldestPendingAt: backlog.oldestCreatedAt === null ? null : new Date(backlog.oldestCreatedAt).toISOString(),
        },
      }
    },
  }
}
