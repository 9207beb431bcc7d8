import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect, sql, type Transaction } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import type { Database } from './database.js'
import { openDatabase } from './open-database.js'
import { GroupCommitSqliteDriver, type GroupCommitStats, type WalDurability, WalSyncError } from './sqlite-group-commit.js'
import { withStatementCache } from './sqlite-statement-cache.js'
import { createWalSync } from './sqlite-wal-sync.js'
import { isStoreUnavailable } from './store-unavailable.js'
import { createTransactionRunner, type Transact } from './transaction.js'

/**
 * Group commit (store/sqlite-group-commit.ts): transactions queued behind one another share one
 * COMMIT, and none is answered before the COMMIT that holds it. "Committed" is checked from a
 * second SQLite connection to the same file, which sees only what reached the database.
 */

const cleanups: (() => void | Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Fixture {
  db: Kysely<Database>
  transact: Transact<Transaction<Database>>
  stats: () => Readonly<GroupCommitStats>
  /** Row values visible to another connection: what has committed. */
  committed: () => string[]
}

// biome-ignore lint/suspicious/noExplicitAny: test tables outside the typed schema
type Loose = Kysely<any>

async function open(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-group-commit-'))
  const path = join(dir, 'test.db')
  const database = openDatabase(`sqlite:${path}`)
  const db = database.db
  await sql`create table item (value text not null)`.execute(db)
  await sql`create table parent (id integer primary key)`.execute(db)
  await sql`create table child (parent_id integer not null references parent (id) deferrable initially deferred)`.execute(db)
  const other = new SQLite(path, { readonly: true })
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  cleanups.push(() => db.destroy())
  cleanups.push(() => {
    other.close()
  })
  return {
    db,
    transact: createTransactionRunner(db, (trx) => trx),
    stats: () => database.groupCommit?.() ?? { transactions: 0, commits: 0 },
    committed: () => (other.prepare('select value from item order by rowid').all() as { value: string }[]).map((row) => row.value),
  }
}

const insert = (trx: Transaction<Database>, value: string) => (trx as unknown as Loose).insertInto('item').values({ value }).execute()
const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve))
}

/** A transaction that holds the connection until `open()` is called, so others queue behind it. */
function held(fixture: Fixture, value: string) {
  let open!: () => void
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  const done = fixture.transact(async (trx) => {
    await insert(trx, value)
    await gate
  })
  return { done, open }
}

describe('SQLite group commit', () => {
  it('answers each of many concurrent transactions only once its row has committed, in fewer COMMITs than transactions', async () => {
    const fixture = await open()
    const seenAtAnswer: boolean[] = []
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fixture.transact((trx) => insert(trx, `v${i}`)).then(() => seenAtAnswer.push(fixture.committed().includes(`v${i}`))),
      ),
    )
    expect(seenAtAnswer).toHaveLength(40)
    expect(seenAtAnswer.every(Boolean)).toBe(true)
    expect(fixture.committed()).toHaveLength(40)
    const { commits, transactions } = fixture.stats()
    expect(transactions).toBe(40)
    expect(commits).toBeLessThan(40)
  })

  it('groups the transactions that waited behind a long one into its COMMIT', async () => {
    const fixture = await open()
    const first = held(fixture, 'first')
    await ticks()
    const queued = Array.from({ length: 5 }, (_, i) => fixture.transact((trx) => insert(trx, `q${i}`)))
    await ticks()
    expect(fixture.committed()).toEqual([])
    const before = fixture.stats().commits
    first.open()
    await Promise.all([first.done, ...queued])
    expect(fixture.committed()).toEqual(['first', 'q0', 'q1', 'q2', 'q3', 'q4'])
    // One COMMIT for the six, unless the machine is so slow that the group reached its age limit.
    expect(fixture.stats().commits - before).toBeLessThan(3)
  })

  it('rolls back a failing member alone: the others of its group commit', async () => {
    const fixture = await open()
    const first = held(fixture, 'first')
    await ticks()
    const ok = fixture.transact((trx) => insert(trx, 'ok'))
    const failing = fixture.transact(async (trx) => {
      await insert(trx, 'failed')
      throw new Error('work failed')
    })
    const after = fixture.transact((trx) => insert(trx, 'after'))
    await ticks()
    first.open()
    await expect(failing).rejects.toThrow('work failed')
    await Promise.all([first.done, ok, after])
    expect(fixture.committed()).toEqual(['first', 'ok', 'after'])
  })

  it('fails every member of a group whose COMMIT fails, keeps none of their writes, and works again after', async () => {
    const fixture = await open()
    const first = held(fixture, 'first')
    await ticks()
    // A deferred foreign key is checked at COMMIT only: this member makes the group's COMMIT fail.
    const orphan = fixture.transact(async (trx) => {
      await (trx as unknown as Loose).insertInto('child').values({ parent_id: 42 }).execute()
    })
    const other = fixture.transact((trx) => insert(trx, 'other'))
    await ticks()
    first.open()
    const results = await Promise.allSettled([first.done, orphan, other])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/)
    expect(fixture.committed()).toEqual([])
    await fixture.transact((trx) => insert(trx, 'later'))
    expect(fixture.committed()).toEqual(['later'])
  })

  it('runs no after-commit hook of a group whose COMMIT failed, and every hook of one that committed', async () => {
    const fixture = await open()
    const ran: string[] = []
    const transact = createTransactionRunner(fixture.db, (trx, scope) => ({ trx, scope }))
    const member = (value: string, orphan = false) =>
      transact(async ({ trx, scope }) => {
        scope.afterCommit(() => ran.push(value))
        if (orphan) await (trx as unknown as Loose).insertInto('child').values({ parent_id: 7 }).execute()
        else await insert(trx, value)
      })
    const first = held(fixture, 'holder')
    await ticks()
    const failedGroup = [member('a'), member('b', true)]
    await ticks()
    first.open()
    await Promise.allSettled([first.done, ...failedGroup])
    expect(ran).toEqual([])
    await Promise.all([member('c'), member('d')])
    expect(ran.sort()).toEqual(['c', 'd'])
  })

  it('commits the open group before a query outside a transaction reads, so it never reads what may not commit', async () => {
    const fixture = await open()
    const first = held(fixture, 'first')
    await ticks()
    const member = fixture.transact((trx) => insert(trx, 'member'))
    const read = (fixture.db as unknown as Loose)
      .selectFrom('item')
      .select('value')
      .execute()
      .then((rows) => ({ rows: rows.map((r) => r.value), committed: fixture.committed() }))
    await ticks()
    first.open()
    const seen = await read
    await Promise.all([first.done, member])
    // Whatever the read saw had committed by the time it ran.
    expect(seen.committed).toEqual(expect.arrayContaining(seen.rows))
    expect(seen.rows).toEqual(['first', 'member'])
  })

  it('commits a transaction run outside the runner (as Kysely migrations are) on its own, before it resolves', async () => {
    const fixture = await open()
    const first = held(fixture, 'first')
    await ticks()
    const plain = fixture.db.transaction().execute((trx) => insert(trx, 'plain'))
    await ticks()
    first.open()
    await plain
    expect(fixture.committed()).toEqual(['first', 'plain'])
    await first.done
  })
})

/**
 * The WAL's sync after each COMMIT, off the event loop (store/sqlite-wal-sync.ts): the real sync,
 * behind a gate the test opens, so "not answered before it" can be observed.
 */
describe('SQLite group commit with the WAL synced off the event loop', () => {
  async function openGated() {
    const failing = { now: false }
    const dir = mkdtempSync(join(tmpdir(), 'tessera-wal-sync-'))
    const path = join(dir, 'test.db')
    const sqlite = new SQLite(path)
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
    const database = withStatementCache(sqlite)
    const real = createWalSync(path)
    const events: string[] = []
    let gates: (() => void)[] = []
    const wal: WalDurability = {
      async sync() {
        events.push('sync started')
        await new Promise<void>((resolve) => gates.push(resolve))
        if (failing.now) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })
        await real.sync()
        events.push('synced')
      },
      writes: (text) => !database.prepare(text).readonly,
      close: real.close,
    }
    const dialect = new (class extends SqliteDialect {
      override createDriver() {
        return new GroupCommitSqliteDriver({ database }, { maxMembers: 64, maxAgeMs: 20 }, wal)
      }
    })({ database })
    const db = new Kysely<Database>({ dialect })
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    cleanups.push(() => db.destroy())
    const openGates = () => {
      for (const gate of gates.splice(0)) gate()
    }
    // The table is made before the test's events start: its DDL is synced like any write.
    const ddl = sql`create table item (value text not null)`.execute(db)
    await ticks()
    openGates()
    await ddl
    events.length = 0
    gates = []
    return { db, transact: createTransactionRunner(db, (trx) => trx), events, openGates, failing }
  }

  it('answers a transaction only after the sync of the WAL that follows its COMMIT', async () => {
    const fixture = await openGated()
    const done = fixture.transact((trx) => insert(trx, 'a')).then(() => fixture.events.push('answered'))
    await ticks()
    expect(fixture.events).toEqual(['sync started'])
    fixture.openGates()
    await done
    expect(fixture.events).toEqual(['sync started', 'synced', 'answered'])
  })

  it('answers a write outside a transaction only after the sync, and syncs nothing for a read', async () => {
    const fixture = await openGated()
    const loose = fixture.db as unknown as Loose
    const write = loose
      .insertInto('item')
      .values({ value: 'w' })
      .execute()
      .then(() => fixture.events.push('write answered'))
    await ticks()
    expect(fixture.events).toEqual(['sync started'])
    fixture.openGates()
    await write
    const rows = await loose.selectFrom('item').select('value').execute()
    expect(rows).toEqual([{ value: 'w' }])
    expect(fixture.events).toEqual(['sync started', 'synced', 'write answered'])
  })

  it('lets nobody in the process read what the sync has not covered yet', async () => {
    const fixture = await openGated()
    const loose = fixture.db as unknown as Loose
    const member = fixture.transact((trx) => insert(trx, 'm'))
    await ticks()
    expect(fixture.events).toEqual(['sync started'])
    const read = loose
      .selectFrom('item')
      .select('value')
      .execute()
      .then((rows) => {
        fixture.events.push('read')
        return rows
      })
    await ticks()
    expect(fixture.events).toEqual(['sync started'])
    fixture.openGates()
    await member
    expect(await read).toEqual([{ value: 'm' }])
    expect(fixture.events).toEqual(['sync started', 'synced', 'read'])
  })

  it('fails the group whose sync failed, and every later query, as store unavailable (fail closed)', async () => {
    const fixture = await openGated()
    fixture.failing.now = true
    const first = fixture.transact((trx) => insert(trx, 'a'))
    const outcome = first.then(
      () => 'answered',
      (error: unknown) => error,
    )
    await ticks()
    fixture.openGates()
    const error = await outcome
    expect(error).toBeInstanceOf(WalSyncError)
    expect(isStoreUnavailable(error)).toBe(true)
    // The kernel may have dropped what it could not write; a later sync could succeed without it.
    await expect(fixture.transact((trx) => insert(trx, 'b'))).rejects.toBeInstanceOf(WalSyncError)
    await expect((fixture.db as unknown as Loose).selectFrom('item').select('value').execute()).rejects.toBeInstanceOf(WalSyncError)
  })
})

describe('openDatabase on SQLite', () => {
  it('runs in WAL mode with synchronous=NORMAL, the WAL synced by the driver; syncs a real file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-wal-open-'))
    const path = join(dir, 'test.db')
    const database = openDatabase(`sqlite:${path}`)
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    cleanups.push(() => database.db.destroy())
    await sql`create table item (value text not null)`.execute(database.db)
    await createTransactionRunner(database.db, (trx) => trx)((trx) => insert(trx, 'x'))
    const [mode, synchronous] = await Promise.all([
      sql<{ journal_mode: string }>`pragma journal_mode`.execute(database.db),
      sql<{ synchronous: number }>`pragma synchronous`.execute(database.db),
    ])
    expect(mode.rows[0]?.journal_mode).toBe('wal')
    // 1 = NORMAL: the sync FULL would do inside COMMIT is the driver's (store/sqlite-wal-sync.ts).
    expect(synchronous.rows[0]?.synchronous).toBe(1)
  })
})
