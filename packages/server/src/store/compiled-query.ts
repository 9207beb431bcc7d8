import type { CompiledQuery, Insertable } from 'kysely'
import type { Database, Executor } from './database.js'
import { PREPARED_MARK } from './prepared-statements.js'

/** Anything Kysely can compile: a select, insert, update or delete builder. */
interface Compilable<R> {
  compile(): CompiledQuery<R>
}

/**
 * A hot query compiled once per executor instead of once per call. Kysely rebuilds and re-walks a
 * query's operation tree on every `execute()`: for a point read by primary key that costs more
 * than SQLite's own work (bench/tools/profile-session-check.mjs). A query shape always compiles to
 * the same SQL text with its values as parameters, in order, so the SQL can be kept and only the
 * parameters replaced. `build` must use one placeholder value per parameter; a shape that
 * compiles to another count of parameters is a programming error, refused at first use.
 *
 * `prepared`: on PostgreSQL, a named prepared statement (store/prepared-statements.ts), parsed and
 * planned once per connection. Only for a query that names its columns (no `selectAll`), so that
 * a migration adding a column does not change its result type.
 */
export function compileOnce<R>(
  build: () => Compilable<R>,
  options: { prepared?: boolean } = {},
): (...parameters: unknown[]) => CompiledQuery<R> {
  let compiled: CompiledQuery<R> | undefined
  return (...parameters) => {
    compiled ??= mark(build().compile(), options.prepared === true)
    if (compiled.parameters.length !== parameters.length)
      throw new Error(`compiled query takes ${compiled.parameters.length} parameters, got ${parameters.length}`)
    return { ...compiled, parameters }
  }
}

function mark<R>(compiled: CompiledQuery<R>, prepared: boolean): CompiledQuery<R> {
  return prepared ? { ...compiled, sql: `${PREPARED_MARK}${compiled.sql}` } : compiled
}

/**
 * A hot query compiled once per database, not once per store: the stores bound to a transaction
 * are made afresh for each transaction (app/stores.ts), so a `compileOnce` inside a store
 * compiles again in every transaction. Declared at module level, this keeps one compiled query
 * per Kysely instance (its dialect adapter, which its transactions share); `build` receives the
 * executor and must not depend on anything else. An executor with plugins (`withPlugin`, which
 * may rewrite the query) is compiled every time.
 */
export function compiledQuery<R>(
  build: (db: Executor) => Compilable<R>,
  options: { prepared?: boolean } = {},
): (db: Executor, ...parameters: unknown[]) => CompiledQuery<R> {
  const byAdapter = new WeakMap<object, CompiledQuery<R>>()
  return (db, ...parameters) => {
    const executor = db.getExecutor()
    let compiled = byAdapter.get(executor.adapter)
    if (!compiled) {
      compiled = mark(build(db).compile(), options.prepared === true)
      if (executor.plugins.length === 0) byAdapter.set(executor.adapter, compiled)
    }
    if (compiled.parameters.length !== parameters.length)
      throw new Error(`compiled query takes ${compiled.parameters.length} parameters, got ${parameters.length}`)
    return { ...compiled, parameters }
  }
}

/**
 * An `INSERT` of one row into `table`, naming `columns` in that order, compiled once per database
 * (`compiledQuery`) and a prepared statement on PostgreSQL: its parameters are the row's values in
 * the order of `columns`. For the rows every token request writes (tokens/refresh-token-store.ts,
 * tokens/access-token-store.ts).
 */
export function compiledInsert<T extends keyof Database & string>(
  table: T,
  columns: readonly (keyof Database[T] & string)[],
): (db: Executor, ...values: unknown[]) => CompiledQuery<never> {
  return compiledQuery(
    (db) => db.insertInto(table).values(Object.fromEntries(columns.map((column) => [column, ''])) as Insertable<Database[T]>),
    { prepared: true },
  ) as (db: Executor, ...values: unknown[]) => CompiledQuery<never>
}
