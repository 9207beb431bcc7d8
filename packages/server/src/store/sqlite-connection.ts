import type { Statement } from 'better-sqlite3'
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely'
import type { CachedStatements } from './sqlite-statement-cache.js'

/**
 * The SQLite connection under the group commit's driver (store/sqlite-group-commit.ts): Kysely's
 * own (`SqliteConnection` of kysely's SQLite driver), with the rows of a query built in JavaScript.
 *
 * On Node 20 better-sqlite3 builds each row object through V8's C++ API: one `Set` per column, the
 * column's name internalised again for every row, each property a transition of the object's map
 * in V8's runtime. For the transactions of a refresh rotation that was 19 % of the process's
 * instructions, more than SQLite's own statements (bench/tools/ab-transaction.mjs under callgrind,
 * issue 17). Here a statement returns its rows raw (arrays of values, `Statement.raw`), and one
 * object literal per query shape, compiled once from its column names, makes each row: the same
 * keys in the same order, with the same values, as better-sqlite3's objects.
 */
export class SqliteConnection implements DatabaseConnection {
  readonly #statements: CachedStatements

  constructor(statements: CachedStatements) {
    this.#statements = statements
  }

  // Not async, as Kysely's: a statement runs synchronously and its error is thrown at once.
  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#statements.prepare(query.sql)
    if (statement.reader) return Promise.resolve({ rows: allRows(statement, query.parameters) as R[] })
    const { changes, lastInsertRowid } = statement.run(query.parameters)
    return Promise.resolve({
      numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
      insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
      rows: [],
    })
  }

  async *streamQuery<R>(query: CompiledQuery, _chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const statement = this.#statements.prepare(query.sql)
    if (query.query.kind !== 'SelectQueryNode') throw new Error('Sqlite driver only supports streaming of select queries')
    for (const row of statement.iterate(query.parameters)) yield { rows: [row as R] }
  }
}

/** One row's object from its raw values, in the order of the statement's `width` columns. */
interface RowBuilder {
  width: number
  build: (values: unknown[]) => unknown
}

/** Per statement: its row builder. */
const builders = new WeakMap<Statement, RowBuilder>()

/**
 * The rows of a statement that returns data, as better-sqlite3's `all` returns them: one plain
 * object per row, keyed by column name (a later column of the same name wins, at the place of the
 * first). Also for the reads run at once outside the driver (store/sqlite-read-now.ts).
 */
export function allRows(statement: Statement, parameters: readonly unknown[]): unknown[] {
  // The statement is shared (store/sqlite-statement-cache.ts): raw only for this call.
  statement.raw(true)
  let values: unknown[][]
  try {
    values = statement.all(parameters) as unknown[][]
  } finally {
    statement.raw(false)
  }
  if (values.length === 0) return []
  let builder = builders.get(statement)
  // SQLite prepares a statement again when the schema changed (another process migrated): a
  // `select *` then has other columns. A different number of them is seen here and the builder is
  // made again from the statement's columns as they are now. Tessera's migrations add columns or
  // drop them, never both to one table in one migration (a new name in the place of an old one
  // keeps the number; `columns()` at every call, 12.8 µs for 12 columns against 1.9 µs for the
  // whole raw read, would cost more than the rows it saves).
  if (builder === undefined || builder.width !== (values[0] as unknown[]).length) {
    builder = rowBuilder(statement)
    builders.set(statement, builder)
  }
  const build = builder.build
  const rows = new Array<unknown>(values.length)
  for (let i = 0; i < values.length; i++) rows[i] = build(values[i] as unknown[])
  return rows
}

/**
 * An object literal gives each row the keys of better-sqlite3's, which sets them one by one: a
 * repeated name keeps its first place and its last value, and `__proto__` is the prototype's
 * setter in both (a blob there becomes the row's prototype, anything else is ignored).
 */
function rowBuilder(statement: Statement): RowBuilder {
  const names = statement.columns().map((column) => column.name)
  // The names enter the code only as JSON string literals; the values never do.
  const properties = names.map((name, i) => `${JSON.stringify(name)}: v[${i}]`)
  return { width: names.length, build: new Function('v', `return { ${properties.join(', ')} }`) as RowBuilder['build'] }
}
