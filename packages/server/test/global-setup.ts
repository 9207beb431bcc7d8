import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { migrateToLatest } from '../src/store/migrate.js'
import { openDatabase } from '../src/store/open-database.js'
import { adminQuery, databaseUrl, TEMPLATE_SCHEMA, TEST_POSTGRES_URL, TEST_TMPDIR } from './test-places.js'

/**
 * Runs once per `vitest run`, before any test file: migrates one SQLite file and one PostgreSQL
 * database, which each test's createMigratedTestDatabase (test/test-database.ts) copies instead of
 * migrating a database of its own. Removes both when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(TEST_TMPDIR, 'tessera-template-'))
  const sqlite = join(dir, 'tessera.db')
  const postgres = `tessera_template_${randomBytes(8).toString('hex')}`
  const remove = async () => {
    rmSync(dir, { recursive: true, force: true })
    await adminQuery(TEST_POSTGRES_URL, `drop database if exists ${postgres} with (force)`)
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
