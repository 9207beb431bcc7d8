import { randomBytes } from 'node:crypto'
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import SQLite from 'better-sqlite3'

/** Why a backup or restore was refused; `code` is what `--json` prints. */
export class BackupRefused extends Error {
  constructor(
    readonly code:
      | 'backup_exists'
      | 'not_a_backup'
      | 'backup_too_new'
      | 'database_in_use'
      | 'database_missing'
      | 'not_sqlite'
      | 'master_key_mismatch',
    message: string,
  ) {
    super(message)
  }
}

export interface BackupReport {
  bytes: number
  /** The migrations the copy's schema has, in order. */
  migrations: string[]
  tookMs: number
}

/** Every page in one step: see backupSqlite. */
const ALL_PAGES = 0x7fffffff

/**
 * A consistent copy of a live SQLite database with SQLite's online backup API. All pages are
 * copied in one step, inside one read transaction: in WAL mode a reader does not block the
 * server's writers, and a copy made page-batch by page-batch would restart after every write the
 * server commits meanwhile (sqlite.org/backup.html), possibly forever under load. The copy is
 * written beside `out`, switched to a single file (journal_mode=DELETE), checked (quick_check),
 * made readable by its owner only, synced, and renamed into place.
 */
export async function backupSqlite(sourcePath: string, out: string, options: { force: boolean }): Promise<BackupReport> {
  const started = Date.now()
  if (!existsSync(sourcePath)) throw new BackupRefused('database_missing', `There is no database at ${sourcePath}.`)
  if (existsSync(out) && !options.force) throw new BackupRefused('backup_exists', `${out} exists; pass --force to replace it.`)
  const source = new SQLite(sourcePath, { fileMustExist: true })
  const temporary = siblingTemporary(out)
  try {
    source.pragma('busy_timeout = 5000')
    await source.backup(temporary, { progress: () => ALL_PAGES })
    const migrations = settle(temporary)
    renameSync(temporary, out)
    return { bytes: statSync(out).size, migrations, tookMs: Date.now() - started }
  } catch (error) {
    removeQuietly(temporary)
    throw error
  } finally {
    source.close()
  }
}

/** Reads rows of a backup (read-only); a table the backup lacks reads as no rows. */
export type BackupReader = (table: string, columns: readonly string[]) => Record<string, unknown>[]

/**
 * Brings a backup back as the database at `target`. `verify` looks into the backup first and
 * throws a BackupRefused to refuse it (the master-key check, keys/master-key-check.ts). Refused while another process has `target`
 * open: leaving WAL mode needs every other connection closed (SQLITE_BUSY otherwise), so that is
 * the test. The database it replaces is kept beside it as `<target>.before-restore-<time>`.
 */
export async function restoreSqlite(
  backupPath: string,
  target: string,
  knownMigrations: readonly string[],
  options: { verify?: (read: BackupReader) => void } = {},
): Promise<{ previous: string | null; migrations: string[] }> {
  const migrations = readBackup(backupPath, options.verify)
  const unknown = migrations.filter((name) => !knownMigrations.includes(name))
  if (unknown.length > 0) {
    throw new BackupRefused(
      'backup_too_new',
      `The backup has migrations this version does not know (${unknown.join(', ')}); restore it with a newer Tessera.`,
    )
  }
  if (existsSync(target)) assertNotInUse(target)
  mkdirSync(dirname(target), { recursive: true })
  const temporary = siblingTemporary(target)
  const backup = new SQLite(backupPath, { readonly: true, fileMustExist: true })
  try {
    await backup.backup(temporary, { progress: () => ALL_PAGES })
    settle(temporary)
  } catch (error) {
    removeQuietly(temporary)
    throw error
  } finally {
    backup.close()
  }
  let previous: string | null = null
  if (existsSync(target)) {
    previous = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`
    renameSync(target, previous)
    for (const suffix of ['-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, previous + suffix)
  }
  renameSync(temporary, target)
  return { previous, migrations }
}

function siblingTemporary(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
}

/** One self-contained file, checked, owner-only, on disk; resolves with its migrations. */
function settle(path: string): string[] {
  const copy = new SQLite(path, { fileMustExist: true })
  let migrations: string[]
  try {
    copy.pragma('journal_mode = DELETE')
    const check = copy.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`)
    migrations = migrationsOf(copy)
  } finally {
    copy.close()
  }
  chmodSync(path, 0o600)
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  return migrations
}

function readBackup(path: string, verify?: (read: BackupReader) => void): string[] {
  if (!existsSync(path)) throw new BackupRefused('not_a_backup', `There is no file at ${path}.`)
  let backup: SQLite.Database | undefined
  let migrations: string[]
  try {
    backup = new SQLite(path, { readonly: true, fileMustExist: true })
    if (backup.pragma('quick_check', { simple: true }) !== 'ok') throw new Error('integrity check failed')
    migrations = migrationsOf(backup)
    if (migrations.length === 0) throw new Error('no Tessera schema')
  } catch (error) {
    backup?.close()
    throw new BackupRefused('not_a_backup', `${path} is not a Tessera backup (${(error as Error).message}).`)
  }
  try {
    const open = backup
    verify?.((table, columns) => {
      const exists = open.prepare("select name from sqlite_master where type = 'table' and name = ?").get(table)
      if (!exists) return []
      const list = columns.map((column) => `"${column.replace(/"/g, '""')}"`).join(', ')
      return open.prepare(`select ${list} from "${table.replace(/"/g, '""')}"`).all() as Record<string, unknown>[]
    })
    return migrations
  } finally {
    backup.close()
  }
}

function migrationsOf(db: SQLite.Database): string[] {
  const table = db.prepare("select name from sqlite_master where type = 'table' and name = 'kysely_migration'").get()
  if (!table) return []
  return (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((row) => row.name)
}

function assertNotInUse(target: string): void {
  const probe = new SQLite(target, { fileMustExist: true, timeout: 0 })
  try {
    const mode = probe.pragma('journal_mode = DELETE', { simple: true })
    if (mode !== 'delete') throw new Error(String(mode))
  } catch {
    throw new BackupRefused(
      'database_in_use',
      `Another process has ${target} open (a running Tessera?). Stop it, then restore: replacing the file under a running server would lose its writes.`,
    )
  } finally {
    probe.close()
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // Already gone, or never created.
  }
}
