import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { inject, onTestFinished } from 'vitest'
import { type DialectName, type OpenDatabase, openDatabase } from '../src/store/open-database.js'
import { adminQuery, databaseUrl, type MigratedTemplates, TEMPLATE_SCHEMA, TEST_POSTGRES_URL, TEST_TMPDIR } from './test-places.js'
import type { TestRun } from './test-run.js'

/** Every store test runs on each of these. */
export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres']

export { TEST_POSTGRES_URL, TEST_TMPDIR }

export interface TestDatabase {
  url: string
  /** Removes everything the test created: the SQLite directory, or the PostgreSQL schema or database. */
  drop(): Promise<void>
}

/**
 * An empty database of its own for one test: a fresh SQLite file, or a fresh PostgreSQL schema, so
 * that tests and parallel runs never collide. For tests about migrating or about an unmigrated
 * database; the others take createMigratedTestDatabase.
 */
export function createTestDatabase(dialect: DialectName): TestDatabase {
  if (dialect === 'sqlite') {
    const dir = testTempDir('tessera-test-')
    return { url: `sqlite:${join(dir, 'tessera.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const schema = `t_${thisRun().tag}_${randomBytes(8).toString('hex')}`
  return {
    url: `${TEST_POSTGRES_URL}?schema=${schema}`,
    drop: () => adminQuery(TEST_POSTGRES_URL, `drop schema if exists ${schema} cascade`),
  }
}

/**
 * A database of its own for one test, already migrated to the latest schema: a copy of the
 * template that test/global-setup.ts migrated once for the whole run (a file copy on SQLite; on
 * PostgreSQL `create database … template`, which copies the migrated schema in ~0.1 s where
 * migrating a fresh schema took 1.5–2 s). Starting Tessera on it still runs migrateToLatest,
 * which then finds nothing to do.
 */
export async function createMigratedTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const template = migratedTemplate(dialect)
  if (dialect === 'sqlite') {
    const dir = testTempDir('tessera-test-')
    const path = join(dir, 'tessera.db')
    copyFileSync(template, path)
    return { url: `sqlite:${path}`, drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const name = `tessera_t_${thisRun().tag}_${randomBytes(8).toString('hex')}`
  // synchronous_commit off for this database only: a COMMIT still commits and is seen by every
  // other connection before it returns, but does not wait for the WAL to reach the disk, which only a
  // crash of the shared server could tell apart (the crash and fault tests run clusters of their
  // own). It halved the time of sign-ups and sign-ins on PostgreSQL here (8 of each: median 350 ms
  // against 700 ms, 8 rounds interleaved).
  await adminQuery(TEST_POSTGRES_URL, `create database ${name} template ${template}`, `alter database ${name} set synchronous_commit = off`)
  return {
    url: `${databaseUrl(name)}?schema=${TEMPLATE_SCHEMA}`,
    drop: () => adminQuery(TEST_POSTGRES_URL, `drop database if exists ${name} with (force)`),
  }
}

/** A migrated database of the test's own (see createMigratedTestDatabase), closed and dropped when the test finishes. */
export async function openMigratedTestDatabase(dialect: DialectName): Promise<OpenDatabase & { url: string }> {
  const test = await createMigratedTestDatabase(dialect)
  const database = openDatabase(test.url)
  onTestFinished(async () => {
    await database.db.destroy()
    await test.drop()
  })
  return { ...database, url: test.url }
}

/**
 * A fresh directory for a test, inside this run's directory under TEST_TMPDIR (a RAM file system
 * where there is one), which the run removes when it ends, or the next run if this one is killed.
 */
export function testTempDir(prefix: string): string {
  return mkdtempSync(join(thisRun().dir, prefix))
}

declare module 'vitest' {
  export interface ProvidedContext {
    tesseraTemplates: MigratedTemplates
    tesseraRun: TestRun
  }
}

function thisRun(): TestRun {
  const provided = inject('tesseraRun')
  if (!provided) throw new Error('no test run: run the tests through vitest.config.ts (test/global-setup.ts)')
  return provided
}

function migratedTemplate(dialect: DialectName): string {
  const provided = inject('tesseraTemplates')
  if (!provided) throw new Error('no migrated templates: run the tests through vitest.config.ts (test/global-setup.ts)')
  return provided[dialect]
}
