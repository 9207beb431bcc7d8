import { sql } from 'kysely'
import type { Executor } from '../store/database.js'

/** The sizes the overview shows. */
export interface StatsCounts {
  users: number
  activeSessions: number
  applications: number
  apis: number
}

/** How many audit entries of one action fell in one hour (`hour`: whole hours since `origin`). */
export interface HourlyCount {
  action: string
  hour: number
  count: number
}

/**
 * Read-only counts across the tables for the operator's overview (GET /admin/v1/stats). A
 * reporting read model: it writes nothing and no domain depends on it. Every query is an index
 * scan (migration 0023-console-stats) or a count of a small table.
 */
export interface StatsStore {
  /** A session is active when it is unrevoked, within its absolute lifetime and not idle since `idleCutoff`. */
  counts(now: number, idleCutoff: number): Promise<StatsCounts>
  /**
   * Audit entries of the given actions at or after `origin`, counted per whole hour since it.
   * At most `actions × hours` rows, whatever the volume.
   */
  hourly(actions: readonly string[], origin: number): Promise<HourlyCount[]>
}

const HOUR_MS = 3_600_000

export function createStatsStore(db: Executor): StatsStore {
  const count = async (query: Promise<{ count: number | string | bigint } | undefined>) => Number((await query)?.count ?? 0)
  const rows = (table: 'users' | 'applications' | 'apis') =>
    count(
      db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirst(),
    )
  return {
    async counts(now, idleCutoff) {
      const [users, activeSessions, applications, apis] = await Promise.all([
        rows('users'),
        count(
          db
            .selectFrom('sessions')
            .select((eb) => eb.fn.countAll<number>().as('count'))
            .where('revoked_at', 'is', null)
            .where('absolute_expires_at', '>', now)
            .where('last_active_at', '>', idleCutoff)
            .executeTakeFirst(),
        ),
        rows('applications'),
        rows('apis'),
      ])
      return { users, activeSessions, applications, apis }
    },

    async hourly(actions, origin) {
      if (actions.length === 0) return []
      if (!Number.isSafeInteger(origin)) throw new TypeError('origin must be an integer time')
      // occurred_at >= origin, so the integer division is a floor on both dialects. Literals, not
      // parameters: PostgreSQL must see the same expression in the select list and the GROUP BY.
      const hour = sql<number>`(occurred_at - ${sql.lit(origin)}) / ${sql.lit(HOUR_MS)}`
      const rows = await db
        .selectFrom('audit_log')
        .select((eb) => ['action', hour.as('hour'), eb.fn.countAll<number>().as('count')])
        .where('action', 'in', actions)
        .where('occurred_at', '>=', origin)
        .groupBy(['action', hour])
        .execute()
      return rows.map((row) => ({ action: row.action, hour: Number(row.hour), count: Number(row.count) }))
    },
  }
}
