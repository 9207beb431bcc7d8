import type { Database as SQLite, Statement } from 'better-sqlite3'
import type { SqliteDatabase } from 'kysely'

/** Enough for every query Tessera compiles (a few dozen shapes), with room for the rare one-off. */
const MAX_STATEMENTS = 256

/** Kysely's SQLite database, giving better-sqlite3's own statements (their `readonly`, for one). */
export type CachedStatements = Omit<SqliteDatabase, 'prepare'> & { prepare(sql: string): Statement }

/**
 * Kysely's SQLite driver calls `prepare(sql)` for every query it runs, and better-sqlite3 then
 * parses and plans the SQL again each time: on the token endpoint that was about a tenth of the
 * process's time (bench/tools/profile-client-credentials.mjs). Kysely always compiles a query
 * shape to the same SQL text with its values as parameters, so a prepared statement can be kept
 * per SQL text and reused. A statement still iterating (a streamed query) is busy: that query
 * gets a fresh one. SQLite re-prepares a statement by itself if the schema changes under it.
 */
export function withStatementCache(sqlite: SQLite): CachedStatements {
  const statements = new Map<string, Statement>()
  return {
    close: () => sqlite.close(),
    prepare(sql) {
      const cached = statements.get(sql)
      if (cached && !cached.busy) return cached
      const statement = sqlite.prepare(sql)
      if (!cached) {
        statements.set(sql, statement)
        // Oldest first out: a Map keeps insertion order.
        if (statements.size > MAX_STATEMENTS) statements.delete(statements.keys().next().value as string)
      }
      return statement
    },
  }
}
