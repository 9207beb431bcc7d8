import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { CompiledQuery, type Driver, Kysely, SqliteDialect } from 'kysely'
import type pg from 'pg'
import { UnreachableError } from '../shared/unreachable-error.js'
import type { Database } from './database.js'
import { loadPg } from './optional-drivers.js'
import { OwnSchemaPostgresDialect } from './own-schema-introspector.js'
import { preparingClient } from './prepared-statements.js'
import { type ChangeWatch, watchChanges } from './sqlite-change-stamp.js'
import { GroupCommitSqliteDriver, type GroupCommitStats, type WalDurability } from './sqlite-group-commit.js'
import { type ReadNow, readNowWhenIdle } from './sqlite-read-now.js'
import { type CachedStatements, withStatementCache } from './sqlite-statement-cache.js'
import { createWalSync } from './sqlite-wal-sync.js'

export type DialectName = 'sqlite' | 'postgres'

export interface OpenDatabase {
  db: Kysely<Database>
  dialect: DialectName
  /** The PostgreSQL schema in use, or undefined on SQLite. */
  schema: string | undefined
  /** A safe description for logs (no password). */
  description: string
  /** PostgreSQL only: the connection string (without Tessera's `schema` parameter), for LISTEN. */
  connectionString?: string
  /** PostgreSQL only: the pool, for its metrics (size, use, errors). */
  pool?: pg.Pool
  /** SQLite only: how many transactions shared how many COMMITs (store/sqlite-group-commit.ts). */
  groupCommit?: () => Readonly<GroupCommitStats>
  /** SQLite only: whether anything may have changed since a read, for read caches (store/sqlite-change-stamp.ts). */
  changes?: ChangeWatch
  /** SQLite only: a read run at once when the connection is free (store/sqlite-read-now.ts). */
  readNow?: ReadNow
}

export interface OpenDatabaseOptions {
  /**
   * A pooled connection failed (PostgreSQL stopped, the backend terminated, the network cut).
   * The pool replaces the connection; the query that used it fails with a store-unavailable error.
   */
  onConnectionError?: (error: Error) => void
}

/**
 * Opens the database named by a `sqlite:PATH` or `postgres://…` URL.
 * SQLite gets WAL, every commit synced before its answer (synchronous=NORMAL and the driver's own
 * sync of the WAL, store/sqlite-wal-sync.ts), a busy timeout and foreign keys; PostgreSQL gets a pool
 * whose 64-bit integers come back as numbers (all our integers are below 2^53).
 */
export function openDatabase(url: string, options: OpenDatabaseOptions = {}): OpenDatabase {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length))
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options.onConnectionError ?? (() => {}))
  throw new Error('database URL must be sqlite:PATH or postgres://…')
}

/** Start-up fails fast: one round trip, or an UnreachableError naming the database (without password). */
export async function ensureReachable(database: OpenDatabase): Promise<void> {
  try {
    await database.db.executeQuery(CompiledQuery.raw('select 1'))
  } catch (error) {
    throw new UnreachableError('the database', database.description, error)
  }
}

function openSqlite(path: string): OpenDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new SQLite(path)
  const wal = sqlite.pragma('journal_mode = WAL', { simple: true }) === 'wal'
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  const cached = withStatementCache(sqlite)
  // Kysely runs every statement through `database`, which counts the ones that may write. With a
  // WAL, the commits of every connection are read from the wal-index header next to the file
  // SQLite opened (`database_list` names it with symbolic links resolved, as SQLite names its -shm).
  const { statements: database, watch: changes } = watchChanges(sqlite, cached, wal ? mainFile(sqlite) : undefined)
  let durability: WalDurability | undefined
  if (wal) {
    // FULL's sync of the WAL at every commit, done by the driver off the event loop
    // (store/sqlite-wal-sync.ts); NORMAL keeps the syncs around checkpoints.
    sqlite.pragma('synchronous = NORMAL')
    durability = { ...createWalSync(path), writes: (sql) => !cached.prepare(sql).readonly }
  } else {
    // An in-memory database has no WAL and nothing to make durable.
    sqlite.pragma('synchronous = FULL')
  }
  const dialect = new ImmediateSqliteDialect(database, durability)
  return {
    db: new Kysely<Database>({ dialect }),
    groupCommit: () => dialect.driver?.stats ?? { transactions: 0, commits: 0 },
    changes,
    readNow: readNowWhenIdle(database, () => dialect.driver?.idle === true),
    dialect: 'sqlite',
    schema: undefined,
    description: `sqlite:${path}`,
  }
}

function mainFile(sqlite: SQLite.Database): string {
  const main = (sqlite.pragma('database_list') as { name: string; file: string }[]).find((each) => each.name === 'main')
  if (!main?.file) throw new Error('SQLite did not name its database file')
  return main.file
}

/**
 * SQLite transactions begin IMMEDIATE: the write lock is taken at BEGIN, where busy_timeout
 * applies. A DEFERRED transaction that reads and then writes fails at once with SQLITE_BUSY
 * when another process (the CLI beside the server) committed in between, and waiting cannot help.
 * Transactions queued behind one another share their COMMIT (store/sqlite-group-commit.ts).
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: CachedStatements
  driver: GroupCommitSqliteDriver | undefined

  readonly #wal: WalDurability | undefined

  constructor(database: CachedStatements, wal: WalDurability | undefined) {
    super({ database })
    this.#database = database
    this.#wal = wal
  }

  override createDriver(): Driver {
    this.driver = new GroupCommitSqliteDriver({ database: this.#database }, GROUP_COMMIT_LIMITS, this.#wal)
    return this.driver
  }
}

/** A group waits at most for 64 members or 20 ms after its first commit (bench/tools/profile-refresh.mjs). */
const GROUP_COMMIT_LIMITS = { maxMembers: 64, maxAgeMs: 20 }

const INT8_OID = 20

function openPostgres(url: string, onConnectionError: (error: Error) => void): OpenDatabase {
  const parsed = new URL(url)
  const schema = parsed.searchParams.get('schema') ?? undefined
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error('database URL: schema must match [a-z_][a-z0-9_]*')
  }
  parsed.searchParams.delete('schema')
  // `preparedStatements=off`: behind a pooler that cannot keep prepared statements (PgBouncer
  // before 1.21 in transaction mode), every query goes unnamed (store/prepared-statements.ts).
  const prepared = parsed.searchParams.get('preparedStatements') ?? 'on'
  if (prepared !== 'on' && prepared !== 'off') throw new Error('database URL: preparedStatements must be on or off')
  parsed.searchParams.delete('preparedStatements')
  const pg = loadPg()
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    // The hot queries as named prepared statements, parsed once per connection (store/prepared-statements.ts).
    Client: prepared === 'on' ? preparingClient(pg.Client) : pg.Client,
    max: 10,
    connectionTimeoutMillis: 5000,
    // TCP keep-alive: a connection whose peer vanished (no RST) is noticed instead of hanging.
    keepAlive: true,
    options: schema ? `-c search_path=${schema}` : undefined,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  })
  // A client that loses its connection emits 'error', and an 'error' without a listener kills the
  // process. The pool listens only while a client is idle (it removes its listener at checkout),
  // so every client gets a listener of its own for its whole life (issue 18).
  // (The pool re-emits an idle client's error on itself; the client's own listener reports it.)
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', onConnectionError))
  const connectionString = parsed.toString()
  parsed.password = parsed.password ? '***' : ''
  return {
    db: new Kysely<Database>({ dialect: new OwnSchemaPostgresDialect({ pool }, schema) }),
    dialect: 'postgres',
    schema,
    description: `${parsed.toString()}${schema ? ` (schema ${schema})` : ''}`,
    connectionString,
    pool,
  }
}
