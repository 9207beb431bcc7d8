import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { CompiledQuery, type DatabaseConnection, type Driver, Kysely, SqliteDialect, type SqliteDialectConfig, SqliteDriver } from 'kysely'
import pg from 'pg'
import type { Database } from './database.js'
import { OwnSchemaPostgresDialect } from './own-schema-introspector.js'
import { withStatementCache } from './sqlite-statement-cache.js'

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
}

/**
 * Opens the database named by a `sqlite:PATH` or `postgres://…` URL.
 * SQLite gets WAL, synchronous=FULL, a busy timeout and foreign keys; PostgreSQL gets a pool
 * whose 64-bit integers come back as numbers (all our integers are below 2^53).
 */
export function openDatabase(url: string): OpenDatabase {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length))
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url)
  throw new Error('database URL must be sqlite:PATH or postgres://…')
}

function openSqlite(path: string): OpenDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const sqlite = new SQLite(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('foreign_keys = ON')
  return {
    db: new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) }),
    dialect: 'sqlite',
    schema: undefined,
    description: `sqlite:${path}`,
  }
}

/**
 * SQLite transactions begin IMMEDIATE: the write lock is taken at BEGIN, where busy_timeout
 * applies. A DEFERRED transaction that reads and then writes fails at once with SQLITE_BUSY
 * when another process (the CLI beside the server) committed in between, and waiting cannot help.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  readonly #settings: SqliteDialectConfig

  constructor(settings: SqliteDialectConfig) {
    super(settings)
    this.#settings = settings
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#settings)
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }
}

const INT8_OID = 20

function openPostgres(url: string): OpenDatabase {
  const parsed = new URL(url)
  const schema = parsed.searchParams.get('schema') ?? undefined
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error('database URL: schema must match [a-z_][a-z0-9_]*')
  }
  parsed.searchParams.delete('schema')
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: 10,
    connectionTimeoutMillis: 5000,
    options: schema ? `-c search_path=${schema}` : undefined,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  })
  // An idle client that loses its connection emits 'error'; the pool replaces it. Without a
  // listener Node would crash the process.
  pool.on('error', () => {})
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
