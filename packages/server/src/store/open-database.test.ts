import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import { describe, expect, it, onTestFinished } from 'vitest'
import { aUser, openTestStores } from '../../test/store-fixture.js'

describe('sqlite database settings', () => {
  // synchronous=NORMAL plus the driver's sync of the WAL after every COMMIT, off the event loop, is
  // FULL's durability (store/sqlite-wal-sync.ts; the ordering is tested in sqlite-group-commit.test.ts).
  it('opens SQLite durable: WAL, synchronous=NORMAL with the WAL synced by the driver, foreign keys on, a 5 s busy timeout', async () => {
    const { database } = await openTestStores('sqlite')
    const pragma = async (name: string) => {
      const { rows } = await sql<Record<string, unknown>>`pragma ${sql.raw(name)}`.execute(database.db)
      return Object.values(rows[0] ?? {})[0]
    }
    expect(await pragma('journal_mode')).toBe('wal')
    expect(await pragma('synchronous')).toBe(1)
    expect(await pragma('foreign_keys')).toBe(1)
    expect(await pragma('busy_timeout')).toBe(5000)
  })

  it('begins write transactions IMMEDIATE, so a read-then-write cannot lose to another process', async () => {
    const { database, stores, transact } = await openTestStores('sqlite')
    // Another process (the CLI beside the server), with no patience at all.
    const other = new SQLite(database.description.slice('sqlite:'.length))
    other.pragma('busy_timeout = 0')
    onTestFinished(() => {
      other.close()
    })
    let otherWrite: unknown
    await transact(async (tx) => {
      expect(await tx.users.findByEmail('first@example.com')).toBeNull()
      try {
        other
          .prepare(
            "insert into users (id, email, status, token_version, created_at, updated_at) values ('usr_o', 'o@example.com', 'active', 1, 0, 0)",
          )
          .run()
      } catch (error) {
        otherWrite = error
      }
      // Under a DEFERRED begin the other write would have won, and this one would fail with
      // SQLITE_BUSY_SNAPSHOT; under IMMEDIATE the other waits (here: gives up) instead.
      await tx.users.insert(aUser({ id: 'usr_first', email: 'first@example.com' }))
    })
    expect((otherWrite as { code?: string }).code).toBe('SQLITE_BUSY')
    expect(await stores.users.findByEmail('first@example.com')).toMatchObject({ id: 'usr_first' })
  })
})
