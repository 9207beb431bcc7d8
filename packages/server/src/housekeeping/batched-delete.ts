import { type RawBuilder, sql } from 'kysely'
import type { Executor } from '../store/database.js'

export type Dialect = 'sqlite' | 'postgres'

/**
 * One purge statement: deletes at most `limit` rows of `table` whose key is among those that
 * `candidates` selects, and returns how many went.
 *
 * Each call is one short statement in its own transaction, so no lock is held beyond one batch. On
 * PostgreSQL the candidates are taken `FOR UPDATE SKIP LOCKED`: instances purging at the same time
 * take different rows instead of waiting on each other, and a row a request is writing is left for
 * the next run. `candidates` is a `select <key columns> from <table> <alias> where …` without a
 * limit; `orderBy` (a column of it) makes the oldest go first where that matters.
 */
export async function deleteBatch(
  db: Executor,
  dialect: Dialect,
  target: { table: string; key: readonly string[]; candidates: RawBuilder<unknown>; orderBy?: string },
  limit: number,
): Promise<number> {
  const keys = sql.join(target.key.map((column) => sql.ref(column)))
  const keyTuple = target.key.length === 1 ? keys : sql`(${keys})`
  const order = target.orderBy ? sql` order by ${sql.ref(target.orderBy)}` : sql``
  const lock = dialect === 'postgres' ? sql` for update skip locked` : sql``
  const result =
    await sql`delete from ${sql.table(target.table)} where ${keyTuple} in (${target.candidates}${order} limit ${sql.lit(limit)}${lock})`.execute(
      db,
    )
  return Number(result.numAffectedRows ?? 0n)
}
