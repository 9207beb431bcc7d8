import { type FileHandle, open } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * The sync of SQLite's write-ahead log that `synchronous=FULL` does inside every COMMIT, done
 * instead on libuv's thread pool, off the event loop (docs/architecture.md §12).
 *
 * In WAL mode, FULL is NORMAL plus one sync of the WAL after each commit (sqlite.org/pragma.html
 * #pragma_synchronous); NORMAL still syncs before and after every checkpoint and when the WAL is
 * reused. better-sqlite3 runs that sync on the event loop, which then stood still for the 2–6 ms of
 * every COMMIT (bench/tools/profile-refresh.mjs). With NORMAL and this sync after the COMMIT, what
 * reaches the disk before an answer is the same; the group commit (store/sqlite-group-commit.ts)
 * answers nobody, and lets nobody else use the connection, before it resolved.
 */
export interface WalSync {
  /** Resolves once everything written to the WAL so far is on disk; rejects when the sync failed. */
  sync(): Promise<void>
  close(): Promise<void>
}

export function createWalSync(databasePath: string): WalSync {
  // Opened at the first sync, after a COMMIT: the WAL exists by then. A failed open stays failed,
  // so every later sync fails too (fail closed).
  let wal: Promise<FileHandle> | undefined
  let directorySynced = false
  return {
    async sync() {
      wal ??= open(`${databasePath}-wal`, 'r')
      // fdatasync, as SQLite's own sync of the WAL: the data and the size needed to read it back.
      await (await wal).datasync()
      if (!directorySynced) {
        // SQLite syncs the directory at the first sync of a new WAL, so that the file itself survives.
        const directory = await open(dirname(databasePath), 'r')
        try {
          await directory.sync()
        } finally {
          await directory.close()
        }
        directorySynced = true
      }
    },
    async close() {
      const handle = await wal?.catch(() => undefined)
      await handle?.close()
    },
  }
}

/**
 * SQLite in WAL mode with `synchronous=NORMAL`: the driver (store/sqlite-group-commit.ts) syncs the
 * WAL itself after every COMMIT, off the event loop, and answers nobody before that sync.
 */
export interface WalDurability {
  /** Resolves once everything committed so far is on disk. */
  sync(): Promise<void>
  /** Whether a statement run outside any transaction commits a change (SQLite's autocommit). */
  writes(sql: string): boolean
  close(): Promise<void>
}

/** A sync of the WAL failed: what committed may not be on disk, so the store takes no more work. */
export class WalSyncError extends Error {
  /** SQLite's own name for a failed fsync; store/store-unavailable.ts makes it a 503. */
  readonly code = 'SQLITE_IOERR_FSYNC'
  constructor(cause: unknown) {
    super('the SQLite WAL could not be synced to disk; restart the server', { cause })
  }
}
