import { CompiledQuery, type DatabaseConnection, type QueryResult, SqliteDriver } from 'kysely'
import { SqliteConnection } from './sqlite-connection.js'
import type { CachedStatements } from './sqlite-statement-cache.js'
import { type WalDurability, WalSyncError } from './sqlite-wal-sync.js'

export { type WalDurability, WalSyncError } from './sqlite-wal-sync.js'

/**
 * Group commit for SQLite (docs/architecture.md §12).
 *
 * Every COMMIT waits for an fsync of the WAL, which `synchronous=FULL` does on the event loop
 * (bench/tools/profile-*.mjs). Given a `WalDurability` (store/sqlite-wal-sync.ts), the database
 * runs with `synchronous=NORMAL` and the driver syncs the WAL after each COMMIT on the thread
 * pool, holding the connection meanwhile. Transactions that queued up behind one another share
 * one COMMIT: each runs in a SAVEPOINT of one open SQLite transaction, and the group commits once
 * nobody else is waiting for the connection (or the group is full, or old).
 *
 * Durability does not change: a transaction run through `durably()` is answered only after the
 * COMMIT that contains it (the runner, store/transaction.ts, awaits `durable`), and a failed
 * COMMIT fails every transaction of its group. Isolation does not change either: a transaction
 * of the group sees only what earlier members wrote, which commits with it or not at all; a
 * query outside a transaction, or a transaction not run through `durably()` (Kysely's migrator),
 * first commits the open group, so nothing outside a group ever reads what might not commit.
 *
 * How the driver knows a runner's transaction: `durably()` hands it over synchronously. Kysely's
 * `db.transaction().execute()` calls the driver's `acquireConnection` before its first `await`
 * (once the driver is initialised), so the handover is taken there, and whoever then holds the
 * connection (one caller at a time) is that transaction until it releases it. No
 * AsyncLocalStorage, whose promise hooks slow every request, reads included (issue 17: without
 * them the session check's CPU per request was 0.93, /healthz's 0.86). Should an `await` ever come
 * first, the transaction finds no handover and commits on its own: as durable, only not grouped.
 */

/** What the runner learns about one transaction it ran through `durably()`. */
export interface DurableTransaction {
  /** Resolves once the COMMIT that holds the transaction succeeded; rejects when it failed. */
  durable?: Promise<void>
  /**
   * Set at its SAVEPOINT: runs one of the transaction's compiled statements on the connection it
   * holds, as the bottom of Kysely's executor does, without the layers above it (a connection
   * provider that queues the transaction's statements, an executor that asserts it is open, result
   * plugins: about 5 µs a statement, issue 17). Refuses once the member ended, as Kysely does.
   */
  execute?: (query: CompiledQuery) => Promise<QueryResult<unknown>>
}

/** The runner's transaction on its way to the `acquireConnection` that `durably()`'s work calls first. */
let handedOver: DurableTransaction | undefined

/**
 * Runs `work`, which must open one Kysely transaction at once (`db.transaction().execute(…)`), so
 * that the transaction may join a group commit. Only the first connection `work` asks for before
 * it yields carries the transaction; any other is a plain one.
 */
export function durably<T>(transaction: DurableTransaction, work: () => Promise<T>): Promise<T> {
  handedOver = transaction
  try {
    return work()
  } finally {
    handedOver = undefined
  }
}

export interface GroupCommitLimits {
  /** Transactions per COMMIT at most. */
  maxMembers: number
  /** A group older than this (ms since its first member committed) commits at the next release. */
  maxAgeMs: number
}

export interface GroupCommitStats {
  /** Transactions committed through groups. */
  transactions: number
  /** COMMITs that ended a group. */
  commits: number
}

const SAVEPOINT = 'tessera_member'

interface Waiter {
  resolve: () => void
  reject: (error: unknown) => void
}

/** Kysely's SQLite driver with BEGIN IMMEDIATE and group commit. */
export class GroupCommitSqliteDriver extends SqliteDriver {
  readonly #limits: GroupCommitLimits
  readonly #stats: GroupCommitStats = { transactions: 0, commits: 0 }
  /** Callers waiting for the one connection, in arrival order; `member` when a runner's transaction. */
  readonly #queue: { member: boolean; grant: () => void }[] = []
  #held = false
  /** The runner's transaction that holds the connection, until it begins (or releases unbegun). */
  #holder: DurableTransaction | undefined
  /** The group member between its SAVEPOINT and its RELEASE. */
  #member: DurableTransaction | undefined
  /**
   * The open group: its SQLite transaction is open, its members wait for the COMMIT. A group is
   * open only while a caller holds the connection: the last release commits it.
   */
  #group: { members: Waiter[]; firstCommitAt: number | null } | null = null
  /** Between BEGIN (or SAVEPOINT) and COMMIT (or ROLLBACK) of the transaction holding the connection. */
  #inTransaction: 'member' | 'plain' | null = null
  /** SQLite's one connection (store/sqlite-connection.ts), and the one object every holder is given (`init`). */
  #raw: DatabaseConnection | null = null
  #connection: DatabaseConnection | null = null
  readonly #statements: CachedStatements
  readonly #wal: WalDurability | undefined
  /**
   * Set when a sync of the WAL failed. As PostgreSQL does after a failed fsync (it stops), nothing
   * runs after it: the kernel may have dropped the pages it could not write, and a later sync
   * would succeed without them (fsync(2), "fsyncgate").
   */
  #walFailed: WalSyncError | null = null
  /** Set by `destroy`: the connection is closed, so nothing may read it directly any more. */
  #destroyed = false

  constructor(config: { database: CachedStatements }, limits: GroupCommitLimits, wal?: WalDurability) {
    super(config)
    this.#statements = config.database
    this.#limits = limits
    this.#wal = wal
  }

  override async init(): Promise<void> {
    const raw = new SqliteConnection(this.#statements)
    this.#raw = raw
    this.#connection = {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        // A query outside any transaction must not read what the open group may not commit.
        if (this.#group && this.#inTransaction === null) await this.#commitGroup(raw)
        // A write outside a transaction commits as it runs (autocommit): synced before its answer.
        // Asked before it runs: a statement's SQL may not prepare again after it ran (a DROP).
        const autocommitWrite = this.#wal !== undefined && this.#inTransaction === null && this.#wal.writes(query.sql)
        const result = await raw.executeQuery<R>(query)
        if (autocommitWrite) await this.#syncWal()
        return result
      },
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => raw.streamQuery<R>(query, chunkSize),
    }
  }

  get stats(): Readonly<GroupCommitStats> {
    return this.#stats
  }

  /**
   * Nobody holds the connection and the store works: no transaction or group is open, and
   * everything committed is synced (a group commits and syncs before its last release), so a read
   * made now on the connection sees exactly what a query through the driver would (store/sqlite-read-now.ts).
   * Never after `destroy`: the read then goes through the driver, whose refusal is a typed 503.
   */
  get idle(): boolean {
    return !this.#held && this.#walFailed === null && !this.#destroyed
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    // Before any await: the handover belongs to this call only (see `durably`).
    const transaction = handedOver
    handedOver = undefined
    if (this.#walFailed) throw this.#walFailed
    if (this.#held) {
      await new Promise<void>((grant) => this.#queue.push({ member: transaction !== undefined, grant }))
    }
    this.#held = true
    if (this.#walFailed) {
      await this.releaseConnection()
      throw this.#walFailed
    }
    this.#holder = transaction
    // The queue above lets one caller at a time hold it: Kysely's own lock (a promise each time) is not needed.
    return this.#connection as DatabaseConnection
  }

  override async beginTransaction(): Promise<void> {
    const raw = this.#raw as DatabaseConnection
    // The first transaction begun by the holder is the runner's; a second one commits on its own.
    const transaction = this.#holder
    this.#holder = undefined
    if (transaction === undefined) {
      if (this.#group) await this.#commitGroup(raw)
      await raw.executeQuery(CompiledQuery.raw('begin immediate'))
      this.#inTransaction = 'plain'
      return
    }
    if (!this.#group) {
      // IMMEDIATE: the write lock is taken here, where busy_timeout applies (another process,
      // the CLI, may hold it); a DEFERRED transaction that reads then writes would fail at once.
      await raw.executeQuery(CompiledQuery.raw('begin immediate'))
      this.#group = { members: [], firstCommitAt: null }
    }
    await raw.executeQuery(CompiledQuery.raw(`savepoint ${SAVEPOINT}`))
    this.#member = transaction
    this.#inTransaction = 'member'
    // better-sqlite3 runs a statement synchronously: nothing can interleave with it.
    transaction.execute = (query) => {
      if (this.#member !== transaction) return Promise.reject(new Error('group commit: the transaction has ended'))
      try {
        return raw.executeQuery(query)
      } catch (error) {
        return Promise.reject(error)
      }
    }
  }

  override async commitTransaction(): Promise<void> {
    const raw = this.#raw as DatabaseConnection
    if (this.#inTransaction === 'plain') {
      this.#inTransaction = null
      await raw.executeQuery(CompiledQuery.raw('commit'))
      await this.#syncWal()
      return
    }
    await raw.executeQuery(CompiledQuery.raw(`release ${SAVEPOINT}`))
    this.#inTransaction = null
    const transaction = this.#member
    this.#member = undefined
    const group = this.#group
    if (!transaction || !group) throw new Error('group commit: a member committed outside its group')
    group.firstCommitAt ??= performance.now()
    transaction.durable = new Promise<void>((resolve, reject) => group.members.push({ resolve, reject }))
    // The runner always awaits it; this keeps an unobserved rejection from reaching the process.
    transaction.durable.catch(() => {})
  }

  override async rollbackTransaction(): Promise<void> {
    const raw = this.#raw as DatabaseConnection
    if (this.#inTransaction === 'member') {
      this.#inTransaction = null
      this.#member = undefined
      // Undo this member only; the group's earlier members stay.
      await raw.executeQuery(CompiledQuery.raw(`rollback to ${SAVEPOINT}`))
      await raw.executeQuery(CompiledQuery.raw(`release ${SAVEPOINT}`))
      return
    }
    this.#inTransaction = null
    await raw.executeQuery(CompiledQuery.raw('rollback'))
  }

  override async releaseConnection(): Promise<void> {
    let next = 0
    const group = this.#group
    if (group && this.#inTransaction === null) {
      const full = group.members.length >= this.#limits.maxMembers
      const old = group.firstCommitAt !== null && performance.now() - group.firstCommitAt >= this.#limits.maxAgeMs
      // While the group is open and young, a waiting transaction goes first: it joins the group.
      // Anyone else (a query, a migration) gets the connection only after the group committed.
      const member = this.#queue.findIndex((waiter) => waiter.member)
      if (member >= 0 && !full && !old) next = member
      else await this.#commitGroup(this.#raw as DatabaseConnection)
    }
    this.#holder = undefined
    const [waiter] = this.#queue.splice(next, 1)
    if (waiter) waiter.grant()
    else this.#held = false
  }

  override async destroy(): Promise<void> {
    this.#destroyed = true
    this.#statements.close()
    await this.#wal?.close()
  }

  /** After a COMMIT: syncs the WAL (store/sqlite-wal-sync.ts); a failure stops the store. */
  async #syncWal(): Promise<void> {
    if (!this.#wal) return
    try {
      await this.#wal.sync()
    } catch (error) {
      this.#walFailed ??= new WalSyncError(error)
      throw this.#walFailed
    }
  }

  /** COMMITs the open group and answers its members; on failure rolls back and fails them all. */
  async #commitGroup(connection: DatabaseConnection): Promise<void> {
    const group = this.#group
    if (!group) return
    this.#group = null
    try {
      await connection.executeQuery(CompiledQuery.raw('commit'))
    } catch (error) {
      // A failed COMMIT (a deferred constraint, I/O) may leave the transaction open.
      await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => {})
      for (const member of group.members) member.reject(error)
      return
    }
    try {
      // The connection stays held meanwhile, so nobody reads what is not on disk yet; the event
      // loop is free, and the requests that arrive queue up to form the next group.
      await this.#syncWal()
    } catch (error) {
      for (const member of group.members) member.reject(error)
      return
    }
    this.#stats.commits++
    this.#stats.transactions += group.members.length
    for (const member of group.members) member.resolve()
  }
}
