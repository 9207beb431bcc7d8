import { resolve } from 'node:path'
import { findMasterKey } from '../../keys/master-key.js'
import { judgeMasterKey, masterKeyFactsFrom } from '../../keys/master-key-check.js'
import { migrations } from '../../store/migrate.js'
import type { OpenDatabase } from '../../store/open-database.js'
import { type BackupReader, BackupRefused, backupSqlite, restoreSqlite } from '../../store/sqlite-backup.js'
import { requireString } from '../cli-args.js'
import type { Command, CommandContext } from '../command.js'

const MASTER_KEY_REMINDER =
  'The backup is useless without the master key (TESSERA_MASTER_KEY, or <dataDir>/master.key in development): it decrypts the signing keys and webhook secrets. Keep a copy of it apart from the backup.'

/** The SQLite file the configuration names; PostgreSQL has its own tools (docs/operations.md). */
function sqlitePath(context: CommandContext): string {
  const url = context.config().databaseUrl
  if (!url.startsWith('sqlite:') || url === 'sqlite::memory:') {
    throw new BackupRefused(
      'not_sqlite',
      'This database is not a SQLite file: back PostgreSQL up with pg_dump and restore it with pg_restore (docs/operations.md).',
    )
  }
  return url.slice('sqlite:'.length)
}

/**
 * Refuses a backup whose sealed data (signing keys, webhook and TOTP secrets) the configured master
 * key cannot open: restored, it would sign nothing and decrypt nothing. Compared by the check value
 * the server writes at first start, or, in a backup older than that, by opening a signing key.
 */
function verifyMasterKey(context: CommandContext): (read: BackupReader) => void {
  return (read) => {
    const config = context.config()
    const master = findMasterKey({ configured: config.masterKey, dataDir: config.dataDir })
    const verdict = master ? judgeMasterKey(master, masterKeyFactsFrom(read)) : 'mismatch'
    if (verdict === 'mismatch') {
      throw new BackupRefused(
        'master_key_mismatch',
        master
          ? 'The configured master key does not open this backup: its signing keys and secrets were sealed under another one. Restore with the master key the backup was made under (TESSERA_MASTER_KEY, or <dataDir>/master.key in development); nothing was changed.'
          : 'No master key is configured (TESSERA_MASTER_KEY, or <dataDir>/master.key in development): the backup cannot be opened without the one it was made under; nothing was changed.',
      )
    }
  }
}

/** A refusal as the other commands print theirs: exit 1, one JSON error object with --json. */
function refused(context: CommandContext, error: BackupRefused): number {
  context.io.stderr(
    context.json ? `${JSON.stringify({ error: { code: error.code, message: error.message } })}\n` : `tessera: ${error.message}\n`,
  )
  return 1
}

export const backupCommand: Command = {
  spec: {
    name: 'backup',
    summary: 'Copy the live SQLite database to a file, consistently, while the server runs.',
    usage: 'backup --out FILE [--force] [--json]',
    options: {
      out: { type: 'string', description: 'the file to write (refused if it exists, unless --force)' },
      force: { type: 'boolean', description: 'replace an existing file at --out' },
    },
  },
  async run(context) {
    const out = resolve(context.io.cwd, requireString(context.args, 'out'))
    try {
      const report = await backupSqlite(sqlitePath(context), out, { force: context.args.values.force === true })
      context.output(
        { file: out, bytes: report.bytes, migrations: report.migrations, tookMs: report.tookMs },
        `Backed up to ${out} (${report.bytes} bytes, schema ${report.migrations.at(-1) ?? 'empty'}, ${report.tookMs} ms).\n${MASTER_KEY_REMINDER}`,
      )
      return 0
    } catch (error) {
      if (error instanceof BackupRefused) return refused(context, error)
      throw error
    }
  },
}

export const restoreCommand: Command = {
  spec: {
    name: 'restore',
    summary: 'Bring a backup back as the SQLite database (the server must be stopped).',
    usage: 'restore --from FILE [--json]',
    options: {
      from: { type: 'string', description: 'a file written by tessera backup' },
    },
  },
  async run(context) {
    const from = resolve(context.io.cwd, requireString(context.args, 'from'))
    try {
      const known = Object.keys(migrations({ dialect: 'sqlite' } as OpenDatabase))
      const result = await restoreSqlite(from, sqlitePath(context), known, { verify: verifyMasterKey(context) })
      context.output(
        { restored: from, previous: result.previous, migrations: result.migrations },
        `Restored ${from}.${result.previous ? ` The database it replaced is kept at ${result.previous}.` : ''}\nStart Tessera with the master key the backup was made under.`,
      )
      return 0
    } catch (error) {
      if (error instanceof BackupRefused) return refused(context, error)
      throw error
    }
  },
}
