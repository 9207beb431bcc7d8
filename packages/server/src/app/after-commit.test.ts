import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import pg from 'pg'
import { describe, expect, it, onTestFinished } from 'vitest'
import { DIALECTS, openMigratedTestDatabase } from '../../test/test-database.js'
import type { DialectName } from '../store/open-database.js'
import { createTransactionRunner } from '../store/transaction.js'
import { bindStores, boundTransaction, createStores, createTransact, type Stores } from './stores.js'

const HOUR = 3_600_000

/**
 * A migrated database of its own, a transaction runner whose after-revocation-commit hook records
 * each call, and `committedRows()`: the revocation log's size as another connection sees it, read
 * synchronously on SQLite, so a call from inside the hook shows what had committed at that moment.
 */
async function open(dialect: DialectName) {
  const database = await openMigratedTestDatabase(dialect)
  const calls: { committedRows: number | null }[] = []
  let committedRows: () => number | null = () => null
  if (dialect === 'sqlite') {
    const other = new SQLite(database.url.slice('sqlite:'.length), { readonly: true })
    onTestFinished(() => void other.close())
    const count = other.prepare('select count(*) as n from revocation_log')
    committedRows = () => (count.get() as { n: number }).n
  }
  const hooks = { afterRevocationCommit: () => void calls.push({ committedRows: committedRows() }) }
  const transact = createTransact(database.db, database.dialect, hooks)
  // The same runner and binding, also handing the work its transaction (to write outside the stores).
  const bind = bindStores(database.dialect, hooks)
  const transactRaw = createTransactionRunner(database.db, (trx, scope) => ({ trx, stores: bind(trx, scope) }))
  async function rowsNow(): Promise<number> {
    if (dialect === 'sqlite') return committedRows() as number
    const client = new pg.Client({ connectionString: database.connectionString })
    await client.connect()
    try {
      const result = await client.query(`select count(*)::int as n from ${database.schema}.revocation_log`)
      return (result.rows[0] as { n: number }).n
    } finally {
      await client.end()
    }
  }
  return { database, transact, transactRaw, calls, rowsNow }
}

for (const dialect of DIALECTS) {
  describe(`after-commit hook on ${dialect}`, () => {
    it('announces a transaction that appended revocations once, after it has committed', async () => {
      const { transact, calls, rowsNow } = await open(dialect)
      const now = Date.now()
      await transact(async (tx) => {
        await tx.revocations.append({ kind: 'session', sid: 'ses_a' }, now, now + HOUR)
        await tx.revocations.append({ kind: 'key', kid: 'k1' }, now, now + HOUR)
        expect(calls).toHaveLength(0) // nothing is announced while the transaction is open
      })
      expect(calls).toHaveLength(1)
      // On SQLite the hook itself read the log through another connection: both rows were committed.
      if (dialect === 'sqlite') expect(calls[0]?.committedRows).toBe(2)
      expect(await rowsNow()).toBe(2)
    })

    it('announces nothing for a transaction that appended no revocation', async () => {
      const { transact, calls } = await open(dialect)
      await transact(async (tx) => tx.events.listAfter(0, 1))
      expect(calls).toHaveLength(0)
    })

    it('never announces a revocation whose transaction rolled back', async () => {
      const { transact, calls, rowsNow } = await open(dialect)
      const now = Date.now()
      await expect(
        transact(async (tx) => {
          await tx.revocations.append({ kind: 'session', sid: 'ses_b' }, now, now + HOUR)
          throw new Error('the change failed after its revocation was written')
        }),
      ).rejects.toThrow('the change failed')
      expect(calls).toHaveLength(0)
      expect(await rowsNow()).toBe(0)

      // The next transaction starts with no hooks left over from the one that rolled back.
      await transact(async (tx) => tx.events.listAfter(0, 1))
      expect(calls).toHaveLength(0)
    })

    it('never announces a revocation whose COMMIT failed', async () => {
      const { database, transactRaw, calls, rowsNow } = await open(dialect)
      // A deferred foreign key is checked at COMMIT, on both dialects: the work succeeds, the commit does not.
      await sql`create table after_commit_probe (
        id integer primary key,
        parent integer references after_commit_probe (id) deferrable initially deferred
      )`.execute(database.db)
      const now = Date.now()
      await expect(
        transactRaw(async ({ trx, stores }) => {
          await stores.revocations.append({ kind: 'client', clientId: 'app_c' }, now, now + HOUR)
          await sql`insert into after_commit_probe (id, parent) values (1, 999)`.execute(trx)
        }),
      ).rejects.toThrow()
      expect(calls).toHaveLength(0)
      expect(await rowsNow()).toBe(0)
    })
  })
}

describe('after-commit hook errors', () => {
  it('reports a failing hook to onHookError and still returns the committed result, running the other hooks', async () => {
    const database = await openMigratedTestDatabase('sqlite')
    const errors: unknown[] = []
    const ran: string[] = []
    const transact = createTransactionRunner(database.db, (_trx, scope) => scope, { onHookError: (error) => errors.push(error) })
    const result = await transact(async (scope) => {
      scope.afterCommit(() => {
        throw new Error('announce failed')
      })
      scope.afterCommit(() => void ran.push('second'))
      return 'committed'
    })
    expect(result).toBe('committed')
    expect(ran).toEqual(['second'])
    expect(errors).toEqual([new Error('announce failed')])
  })
})

describe('the stores of a transaction', () => {
  it('are made when first used, each once, over the transaction; a write to a role marks the transaction', async () => {
    const database = await openMigratedTestDatabase('sqlite')
    const stores = createStores(database.db)
    let configCommits = 0
    const transact = createTransact(database.db, 'sqlite', { afterConfigCommit: () => configCommits++ })
    await transact(async (tx) => {
      // Every store the root has is there, and the same object each time it is used.
      const names = Object.keys(stores) as (keyof Stores)[]
      const first = names.map((name) => tx[name])
      expect(names.filter((name, index) => !first[index] || tx[name] !== first[index])).toEqual([])
      expect(boundTransaction(tx)?.configWritten).toBe(false)
      await tx.roles.insert({ id: 'rol_a', name: 'a', description: '', isDefault: false, createdAt: 0, updatedAt: 0 })
      expect(boundTransaction(tx)?.configWritten).toBe(true)
      // Reads in the transaction see its own write; the database's stores do not until it commits.
      expect(await tx.roles.findById('rol_a')).toMatchObject({ name: 'a' })
    })
    expect(boundTransaction(stores)).toBeUndefined()
    expect(await stores.roles.findById('rol_a')).toMatchObject({ name: 'a' })
    expect(configCommits).toBe(1)
  })
})
