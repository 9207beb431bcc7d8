import type { CompiledQuery, Kysely, QueryResult, Transaction } from 'kysely'
import type { Database } from './database.js'
import { type DurableTransaction, durably } from './sqlite-group-commit.js'

/**
 * Runs `work` in one transaction: everything it writes commits together or not at all.
 *
 * Generic over the stores the caller needs: a domain service declares the narrow set of stores it
 * uses (for example `{ sessions: SessionStore; revocations: RevocationLog }`) and receives a
 * `Transact<ThoseStores>`; the composition root hands it a runner over every store, which is
 * assignable because it provides more than the service asks for.
 */
export type Transact<S> = <T>(work: (stores: S) => Promise<T>) => Promise<T>

/** What one transaction offers the stores bound to it. */
export interface TransactionScope {
  /**
   * Runs `hook` once the transaction has committed, and never when it rolls back (an error in the
   * work, or a failed COMMIT). The same function registered twice in one transaction runs once.
   * Hooks tell others about what just became visible (docs/architecture.md §12); they must not throw.
   */
  afterCommit(hook: () => void): void
}

export interface TransactionRunnerOptions {
  /** Where an after-commit hook's error goes: the transaction has committed, so the caller still gets its result. */
  onHookError?: (error: unknown) => void
}

/**
 * The generic transaction runner: `bind` builds the stores over the transaction (the composition
 * root knows which), and receives the transaction's scope so a store can register after-commit hooks.
 */
export function createTransactionRunner<S>(
  db: Kysely<Database>,
  bind: (trx: Transaction<Database>, scope: TransactionScope) => S,
  options: TransactionRunnerOptions = {},
): Transact<S> {
  return async (work) => {
    const hooks = new Set<() => void>()
    const scope: TransactionScope = { afterCommit: (hook) => void hooks.add(hook) }
    // Kysely commits when the callback resolves and rolls back when it throws; a failed COMMIT
    // rejects too. Either way nothing below runs.
    const transaction: DurableTransaction = {}
    const result = await durably(transaction, () =>
      db.transaction().execute((trx) => work(bind(statementsDirect(trx, transaction), scope))),
    )
    // SQLite: the COMMIT may be shared with the transactions queued behind this one
    // (store/sqlite-group-commit.ts); nothing is answered, and no hook runs, before it.
    if (transaction.durable) await transaction.durable
    for (const hook of hooks) {
      try {
        hook()
      } catch (error) {
        options.onHookError?.(error)
      }
    }
    return result
  }
}

/**
 * SQLite: the transaction's compiled statements (`executeQuery`, which the stores' hot queries use,
 * store/compiled-query.ts) run on its connection directly (`DurableTransaction.execute`); query
 * builders keep Kysely's executor. Not with result plugins, which only Kysely's executor applies.
 */
function statementsDirect(trx: Transaction<Database>, transaction: DurableTransaction): Transaction<Database> {
  const execute = transaction.execute
  if (!execute || trx.getExecutor().plugins.length > 0) return trx
  // Kysely's own `executeQuery` compiles a builder first, as here.
  trx.executeQuery = <R>(query: CompiledQuery<R> | { compile(): CompiledQuery<R> }) =>
    execute('compile' in query ? query.compile() : query) as Promise<QueryResult<R>>
  return trx
}
