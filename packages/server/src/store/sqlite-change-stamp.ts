import type { Database as SQLite } from 'better-sqlite3'
import type { CachedStatements } from './sqlite-statement-cache.js'

/**
 * What the SQLite database looked like to this process at one moment (docs/architecture.md §12,
 * "Read caches on SQLite"): two stamps are equal only if nothing may have changed between them.
 */
export interface ChangeStamp {
  /** `PRAGMA data_version`: moves when another connection (another process: the CLI) commits. */
  readonly dataVersion: number
  /** This process's own statements that may write: moves on each, committed or not. */
  readonly writes: number
}

/** Tells a read cache whether the database may have changed since it read (sessions/session-read-cache.ts). */
export interface ChangeWatch {
  /** The stamp now; throws when the database cannot answer (closed, busy), and the caller then reads the store. */
  stamp(): ChangeStamp
}

export function sameStamp(a: ChangeStamp, b: ChangeStamp): boolean {
  return a.dataVersion === b.dataVersion && a.writes === b.writes
}

/**
 * Wraps the statements Kysely's SQLite driver runs so that every statement that is not a plain
 * read moves the write count, and reads `PRAGMA data_version` on the raw handle for everyone
 * else's commits.
 *
 * The count moves when the statement is prepared: Kysely's SQLite connection prepares and runs a
 * statement in one synchronous stretch, so no check on the event loop can fall between the two.
 * "Not a plain read" is anything but a statement that returns rows and cannot write
 * (better-sqlite3's `reader` and `readonly`): INSERT, UPDATE, DELETE, `… RETURNING`, and BEGIN,
 * SAVEPOINT, RELEASE, COMMIT and ROLLBACK too, so a transaction moves it when it begins, at each
 * write, and when it ends, whether it committed or rolled back. Any write anywhere invalidates
 * everything: coarse, and obviously never late. `data_version` does not move for this connection's
 * own commits (sqlite.org/pragma.html#pragma_data_version), hence the count.
 */
export function watchChanges(sqlite: SQLite, statements: CachedStatements): { statements: CachedStatements; watch: ChangeWatch } {
  let writes = 0
  const dataVersion = sqlite.prepare('pragma data_version').pluck()
  return {
    statements: {
      close: () => statements.close(),
      prepare(sql) {
        const statement = statements.prepare(sql)
        if (!(statement.reader && statement.readonly)) writes++
        return statement
      },
    },
    watch: {
      stamp: () => ({ dataVersion: dataVersion.get() as number, writes }),
    },
  }
}
