import { closeSync, openSync, readSync } from 'node:fs'
import type { Database as SQLite } from 'better-sqlite3'
import type { CachedStatements } from './sqlite-statement-cache.js'

/**
 * What the SQLite database looked like to this process at one moment (docs/architecture.md §12,
 * "Read caches on SQLite"): two stamps are equal only if nothing may have changed between them.
 */
export interface ChangeStamp {
  /**
   * Every connection's commits (another process: the CLI). With a WAL: the wal-index header's
   * change counter, last committed frame and the WAL's two salts, which together name the snapshot
   * a reader would see; without one (an in-memory database): `PRAGMA data_version`, and 0, 0, 0.
   */
  readonly change: number
  readonly frame: number
  readonly salt1: number
  readonly salt2: number
  /** This process's own statements that may write: moves on each, committed or not. */
  readonly writes: number
}

/** Tells a read cache whether the database may have changed since it read (sessions/session-read-cache.ts). */
export interface ChangeWatch {
  /** The stamp now; throws when the database cannot answer (closed, busy), and the caller then reads the store. */
  stamp(): ChangeStamp
}

export function sameStamp(a: ChangeStamp, b: ChangeStamp): boolean {
  return a.writes === b.writes && a.change === b.change && a.frame === b.frame && a.salt1 === b.salt1 && a.salt2 === b.salt2
}

/**
 * Wraps the statements Kysely's SQLite driver runs so that every statement that is not a plain
 * read moves the write count, and reads everyone's commits from the wal-index header (`walPath`:
 * the database file, in WAL mode) or from `PRAGMA data_version` (no WAL).
 *
 * The count moves when the statement is prepared: Kysely's SQLite connection prepares and runs a
 * statement in one synchronous stretch, so no check on the event loop can fall between the two.
 * "Not a plain read" is anything but a statement that returns rows and cannot write
 * (better-sqlite3's `reader` and `readonly`): INSERT, UPDATE, DELETE, `… RETURNING`, and BEGIN,
 * SAVEPOINT, RELEASE, COMMIT and ROLLBACK too, so a transaction moves it when it begins, at each
 * write, and when it ends, whether it committed or rolled back. Any write anywhere invalidates
 * everything: coarse, and obviously never late. The commits of every connection, this one's
 * included, move the header; the count is for what this connection wrote and has not committed.
 */
export function watchChanges(
  sqlite: SQLite,
  statements: CachedStatements,
  walPath?: string,
): { statements: CachedStatements; watch: ChangeWatch } {
  let writes = 0
  const dataVersion = sqlite.prepare('pragma data_version').pluck()
  // SQLite makes the -shm file at its connection's first read in WAL mode: a read before the first open.
  const header = walPath === undefined ? null : walIndexHeader(`${walPath}-shm`, () => dataVersion.get())
  return {
    statements: {
      close: () => {
        // SQLite's first: closing any descriptor of a file drops every POSIX lock this process holds
        // on it, and SQLite holds locks on the -shm file while its connection is open.
        statements.close()
        header?.close()
      },
      prepare(sql) {
        const statement = statements.prepare(sql)
        if (!(statement.reader && statement.readonly)) writes++
        return statement
      },
    },
    watch: {
      stamp: () => (header === null ? { change: dataVersion.get() as number, frame: 0, salt1: 0, salt2: 0, writes } : header.stamp(writes)),
    },
  }
}

/** The first copy of the wal-index header, 48 bytes (sqlite.org/walformat.html §2.1, "The WAL-Index Header"). */
const HEADER_BYTES = 48

/**
 * Reads the wal-index header from the `-shm` file, with one `pread` and no lock.
 *
 * `PRAGMA data_version` opens and closes a read transaction, which in WAL mode takes and drops a
 * read lock on the `-shm` file (two `fcntl`): about 6.5 µs of server CPU per session check over
 * HTTP (issue 17). A commit, by any connection of any process, publishes itself by rewriting this
 * header through its memory map of the same file, which a `pread` reads coherently: the change
 * counter `iChange` moves on every commit, `mxFrame` is the last committed frame, and the salts
 * change whenever the WAL restarts, so a commit that completed before the read always changes
 * what it returns. A read that overlaps a commit returns either the old fields (the commit has not
 * finished publishing, so the old snapshot is still the current one) or some new ones, which match
 * no complete header and so cost a miss, never a stale hit. An uninitialised or short header
 * throws, and the caller reads the store. The fields are in the machine's byte order; they are
 * only compared.
 */
function walIndexHeader(path: string, firstRead: () => void): { stamp(writes: number): ChangeStamp; close(): void } {
  const bytes = Buffer.alloc(HEADER_BYTES)
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, HEADER_BYTES / 4)
  let fd: number | null = null
  return {
    stamp(writes) {
      if (fd === null) {
        firstRead()
        fd = openSync(path, 'r')
      }
      // isInit (byte 12) is 1 once a connection has written the header.
      if (readSync(fd, bytes, 0, HEADER_BYTES, 0) !== HEADER_BYTES || bytes[12] === 0) throw new Error('no wal-index header')
      // iChange (offset 8), mxFrame (16), aSalt[0] and aSalt[1] (32, 36).
      return { change: words[2] as number, frame: words[4] as number, salt1: words[8] as number, salt2: words[9] as number, writes }
    },
    close() {
      // The next stamp opens it again after a first read, which a closed database refuses.
      if (fd !== null) closeSync(fd)
      fd = null
    },
  }
}
