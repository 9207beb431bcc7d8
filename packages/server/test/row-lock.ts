import { sql } from 'kysely'
import pg from 'pg'
import { expect, onTestFinished } from 'vitest'
import type { TestServer } from './test-server.js'

/**
 * Holds every row of `table` FOR UPDATE on a PostgreSQL connection of its own, so that concurrent
 * requests read the rows as they are and then queue at their UPDATE of the table: the race a
 * conditional update must win exactly once (tokens/grants/approved-grant.ts `RedeemedMeanwhile`).
 */
export async function holdRows(server: TestServer, table: string) {
  const { db, connectionString } = server.tessera.database
  const schema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema as string
  const holder = new pg.Client({ connectionString })
  await holder.connect()
  onTestFinished(() => holder.end())
  await holder.query('begin')
  await holder.query(`select id from "${schema}".${table} for update`)
  return {
    /** Resolves once `count` other backends wait for a lock on an UPDATE of the table. */
    async updatesWaiting(count: number): Promise<void> {
      await expect
        .poll(
          async () => {
            // Inside a transaction pg_stat_activity is a snapshot taken once: clear it before each look.
            await holder.query('select pg_stat_clear_snapshot()')
            const waiting = await holder.query(
              `select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike $1 and pid <> pg_backend_pid()`,
              [`update %${table}%`],
            )
            return Number(waiting.rows[0]?.n)
          },
          { timeout: 20_000, interval: 20 },
        )
        .toBeGreaterThanOrEqual(count)
    },
    release: () => holder.query('commit'),
  }
}
