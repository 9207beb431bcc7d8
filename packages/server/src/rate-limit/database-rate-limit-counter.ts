import { sql } from 'kysely'
import type { Executor } from '../store/database.js'
import type { RateLimitCounter } from './rate-limit-counter.js'

export interface DatabaseRateLimitCounter extends RateLimitCounter {
  /** Deletes ended windows, a batch at a time (no long lock); returns how many. */
  prune(now: number, batch?: number): Promise<number>
}

/** Fixed windows in `rate_limit_counters`, counted by one atomic upsert (SQLite ≥ 3.35 and PostgreSQL). */
export function createDatabaseRateLimitCounter(db: Executor): DatabaseRateLimitCounter {
  return {
    async hit(key, windowMs, now, carried) {
      // A carried window (withFallback) is a floor for the count, and a new window ends when it did.
      const start = (carried?.count ?? 0) + 1
      const resetAt = carried ? carried.resetAt : now + windowMs
      const { rows } = await sql<{ count: number; reset_at: number }>`
        insert into rate_limit_counters (key, count, reset_at) values (${key}, ${start}, ${resetAt})
        on conflict (key) do update set
          count = case
            when rate_limit_counters.reset_at <= ${now} then ${start}
            when rate_limit_counters.count + 1 < ${start} then ${start}
            else rate_limit_counters.count + 1 end,
          reset_at = case when rate_limit_counters.reset_at <= ${now} then ${resetAt} else rate_limit_counters.reset_at end
        returning count, reset_at`.execute(db)
      const row = rows[0] as { count: number; reset_at: number }
      return { count: Number(row.count), resetAt: Number(row.reset_at) }
    },
    async prune(now, batch = 1000) {
      const result = await db
        .deleteFrom('rate_limit_counters')
        .where('key', 'in', (eb) => eb.selectFrom('rate_limit_counters').select('key').where('reset_at', '<=', now).limit(batch))
        .executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
