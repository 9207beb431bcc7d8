import type { CompiledQuery } from 'kysely'
import { allRows } from './sqlite-connection.js'
import type { CachedStatements } from './sqlite-statement-cache.js'

/** Rows of a read run at once, or undefined when it must go through the driver (`db.executeQuery`). */
export type ReadNow = <R>(query: CompiledQuery<R>) => R[] | undefined

/**
 * A hot read outside transactions, run synchronously on SQLite when nobody holds the connection
 * (docs/architecture.md §12). better-sqlite3 is synchronous, yet a read through Kysely's driver
 * acquires the connection and releases it around it, each an async hand-off through the group
 * commit's queue. When the driver is idle (no transaction or group open, everything committed
 * synced), a read now sees exactly what that query would; otherwise the caller goes through the
 * driver and queues as before. Only for plain reads: the statement is refused unless it is one.
 */
export function readNowWhenIdle(statements: CachedStatements, idle: () => boolean): ReadNow {
  return <R>(query: CompiledQuery<R>) => {
    if (!idle()) return undefined
    const statement = statements.prepare(query.sql)
    if (!(statement.reader && statement.readonly)) throw new Error('readNow runs plain reads only')
    return allRows(statement, query.parameters) as R[]
  }
}
