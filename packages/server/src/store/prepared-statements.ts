import { createHash } from 'node:crypto'
import type Pg from 'pg'

/**
 * Named prepared statements on PostgreSQL for the hot queries (docs/architecture.md §12).
 *
 * node-postgres sends every parameterised query as an unnamed statement, so PostgreSQL parses,
 * analyses and plans it on every call: on the session check that was half of the backend's CPU
 * per request (bench/tools/ab-session-check.mjs). A query whose SQL text starts with
 * {@link PREPARED_MARK} (store/compiled-query.ts adds it) is sent as a named statement instead:
 * parsed once per connection, then only bound and executed. The mark is an SQL comment, so SQLite
 * and PostgreSQL read the same text as without it.
 *
 * What keeps it correct:
 * - A statement belongs to one connection, so one prepared on one schema's connection never
 *   serves another schema (`search_path` is fixed per connection at connect, and Tessera never
 *   changes it), and a connection that is replaced (terminated backend, restart) prepares afresh.
 * - The name is a digest of the SQL text, so two texts never share a name on a connection.
 * - A prepared query names its columns (no `*`): a migration that adds a column then changes
 *   nothing. One that changes a selected column's type makes PostgreSQL refuse the old statement
 *   ("cached plan must not change result type", 0A000): the connection then prepares the text
 *   again under a new name, and the query is retried at once when it ran outside a transaction
 *   (inside one, the transaction is already aborted, so the error goes to its caller, once).
 */
export const PREPARED_MARK = '/* prepared */ '

/** PostgreSQL's code for "cached plan must not change result type". */
const RESULT_TYPE_CHANGED = '0A000'

type QueryConfig = { name: string; text: string; values: unknown[] | undefined }
type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown

/** A pg Client class that sends the marked queries as named prepared statements (pg.Pool's `Client` option). */
export function preparingClient(Client: typeof Pg.Client): typeof Pg.Client {
  class PreparingClient extends Client {
    /** SQL text → its statement name on this connection. */
    readonly #names = new Map<string, string>()
    /** How many times a text was prepared again on this connection (a new name each time). */
    readonly #generations = new Map<string, number>()

    // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this forwards them all.
    override query(config: any, values?: any, callback?: any): any {
      if (typeof config !== 'string' || !config.startsWith(PREPARED_MARK)) return (super.query as Query)(config, values, callback)
      // (text, callback), (text, values, callback) and (text, values) as pg takes them; pg.Pool uses callbacks.
      const done = typeof values === 'function' ? values : callback
      const result = this.#prepared(config, Array.isArray(values) ? values : undefined)
      if (typeof done !== 'function') return result
      result.then((value) => done(null, value), done)
      return undefined
    }

    async #prepared(text: string, values: unknown[] | undefined): Promise<unknown> {
      const query = super.query as Query
      try {
        return await query.call(this, this.#config(text, values))
      } catch (error) {
        if ((error as { code?: unknown }).code !== RESULT_TYPE_CHANGED) throw error
        this.#renew(text)
        // Outside a transaction nothing was aborted, so the same query may run again at once.
        if (!this.#idle()) throw error
        return query.call(this, this.#config(text, values))
      }
    }

    #config(text: string, values: unknown[] | undefined): QueryConfig {
      let name = this.#names.get(text)
      if (name === undefined) {
        name = statementName(text, this.#generations.get(text) ?? 0)
        this.#names.set(text, name)
      }
      return { name, text, values }
    }

    /** The statement under the old name stays on the server until the connection ends; it is never used again. */
    #renew(text: string) {
      const generation = (this.#generations.get(text) ?? 0) + 1
      this.#generations.set(text, generation)
      this.#names.set(text, statementName(text, generation))
    }

    /** True when the last ReadyForQuery said "idle": not inside a transaction (pg keeps it as `_txStatus`). */
    #idle(): boolean {
      return (this as unknown as { _txStatus?: unknown })._txStatus === 'I'
    }
  }
  return PreparingClient
}

function statementName(text: string, generation: number): string {
  const digest = createHash('sha256').update(text).digest('base64url').slice(0, 24)
  return generation === 0 ? `t_${digest}` : `t_${digest}_${generation}`
}
