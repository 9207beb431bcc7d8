import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { migrateToLatest } from '../src/store/migrate.js'
import { openDatabase } from '../src/store/open-database.js'
import { adminQuery, databaseUrl, TEMPLATE_SCHEMA, TEST_POSTGRES_URL } from './test-places.js'
import { removeLeftovers, removeRun, testRun } from './test-run.js'

/**
 * Runs once per `vitest run`, before any test file: migrates one SQLite file and one PostgreSQL
 * database, which each test's createMigratedTestDatabase (test/test-database.ts) copies instead of
 * migrating a database of its own. When the run ends, removes them and whatever its tests left
 * (test/test-run.ts); first, removes what killed runs left.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await removeLeftovers()
  const run = testRun(process.pid)
  mkdirSync(run.dir, { recursive: true })
  const sqlite = join(mkdtempSync(join(run.dir, 'tessera-template-')), 'tessera.db')
  const postgres = `tessera_template_${run.tag}_${randomBytes(8).toString('hex')}`
  const remove = async () => {
    await removeRun(process.pid)
  }
  try {
    await migrateAndClose(`sqlite:${sqlite}`)
    await adminQuery(TEST_POSTGRES_URL, `create database ${postgres}`)
    await migrateAndClose(`${databaseUrl(postgres)}?schema=${TEMPLATE_SCHEMA}`)
  } catch (error) {
    await remove()
    throw error
  }
  project.provide('tesseraTemplates', { sqlite, postgres })
  project.provide('tesseraRun', run)
  return remove
}

async function migrateAndClose(url: string): Promise<void> {
  const database = openDatabase(url)
  try {
    await migrateToLatest(database)
  } finally {
    await database.db.destroy()
  }
}
