import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { onTestFinished } from 'vitest'
import { migrateToLatest } from '../src/store/migrate.js'
import { type DialectName, type OpenDatabase, openDatabase } from '../src/store/open-database.js'

/** Every store test runs on each of these. */
export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres']

/** The PostgreSQL every machine of ours has (trust auth); TESSERA_TEST_POSTGRES_URL overrides it. */
export const TEST_POSTGRES_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

export interface TestDatabase {
  url: string
  /** Removes everything the test created: the SQLite directory or the PostgreSQL schema. */
  drop(): Promise<void>
}

/**
 * A database of its own for one test: a fresh SQLite file, or a fresh PostgreSQL schema, so that
 * tests and parallel runs never collide.
 */
export function createTestDatabase(dialect: DialectName): TestDatabase {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-test-'))
    return { url: `sqlite:${join(dir, 'tessera.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const schema = `t_${randomBytes(8).toString('hex')}`
  return {
    url: `${TEST_POSTGRES_URL}?schema=${schema}`,
    async drop() {
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL })
      await client.connect()
      try {
        await client.query(`drop schema if exists ${schema} cascade`)
      } finally {
        await client.end()
      }
    },
  }
}

/** A migrated database of the test's own (see createTestDatabase), closed and dropped when the test finishes. */
export async function openMigratedTestDatabase(dialect: DialectName): Promise<OpenDatabase & { url: string }> {
  const test = createTestDatabase(dialect)
  const database = openDatabase(test.url)
  onTestFinished(async () => {
    await database.db.destroy()
    await test.drop()
  })
  await migrateToLatest(database)
  return { ...database, url: test.url }
}
