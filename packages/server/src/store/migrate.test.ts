import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import pg from 'pg'
import { describe, expect, it, onTestFinished } from 'vitest'
import { aUser } from '../../test/store-fixture.js'
import { createTestDatabase, DIALECTS, TEST_POSTGRES_URL } from '../../test/test-database.js'
import { createStores } from '../app/stores.js'
import { migrateToLatest } from './migrate.js'
import { type DialectName, openDatabase } from './open-database.js'

/** Every migration, in the order a fresh database applies them (a new migration is added here). */
const MIGRATIONS = [
  '0001-foundation',
  '0002-tokens',
  '0003-webhooks',
  '0004-rbac-audit',
  '0005-authorization',
  '0006-admin-api',
  '0007-flows',
  '0008-console-client',
  '0009-email',
  '0010-web-origins',
  '0011-ops',
  '0012-backchannel',
  '0013-mfa',
  '0014-webauthn-challenges',
  '0015-connections',
  '0017-require-mfa',
  '0019-refresh-id-token-default-roles',
  '0020-pushed-authorization-requests',
  '0021-dpop',
  '0022-housekeeping',
  '0023-console-stats',
  '0024-device-authorizations',
  '0025-authorization-code-dpop-jkt',
  '0025-encrypted-access-tokens',
  '0026-token-amr',
  '0028-connection-private-keys',
  '0029-device-authorization-amr',
]

/**
 * Runs that find nothing to apply, against the other tenant's churn. With the stock introspector
 * put back, the former 12 full runs failed within 4-6 s (2 tries of 2) and the full run plus
 * these within 2-6 s (6 tries of 6).
 */
const INTROSPECTING_RUNS = 40

/**
 * Numbers that two released migrations share: handed out twice to parallel work, and neither can
 * be renamed, as databases record the names they ran (docs/architecture.md §12, "Migrations are permanent"). Never add to it.
 */
const SHARED_NUMBERS = ['0025']

describe('migration numbers', () => {
  it('gives every migration a number of its own, but for the two released 0025s', () => {
    const files = readdirSync(new URL('./migrations/', import.meta.url)).filter((file) => /^\d{4}-.*\.ts$/.test(file))
    expect(files.map((file) => file.slice(0, -'.ts'.length))).toEqual(MIGRATIONS)
    const numbers = MIGRATIONS.map((name) => name.slice(0, 4))
    expect(numbers.filter((number, i) => numbers.indexOf(number) !== i)).toEqual(SHARED_NUMBERS)
  })
})

function testMigrations(dialect: DialectName) {
  it('applies the migrations once; a second run applies nothing', async () => {
    const test = createTestDatabase(dialect)
    const database = openDatabase(test.url)
    onTestFinished(async () => {
      await database.db.destroy()
      await test.drop()
    })
    expect((await migrateToLatest(database)).applied).toEqual(MIGRATIONS)
    expect((await migrateToLatest(database)).applied).toEqual([])
    await createStores(database.db).users.insert(aUser({ id: 'usr_ann' }))
    expect((await migrateToLatest(database)).applied).toEqual([])
    expect(await createStores(database.db).users.findById('usr_ann')).not.toBeNull()
  })
}

describe('migrations on a postgres database shared with others', () => {
  it('migrates while another tenant of the database creates and drops schemas', async () => {
    // A database of the test's own: churning schemas in the shared test database would disturb
    // every other test running against it.
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL })
    await admin.connect()
    const name = `t_shared_${randomBytes(6).toString('hex')}`
    await admin.query(`create database ${name}`)
    // Dropping a database that saw hundreds of schemas come and go took longer than the default
    // 30 s hook limit on a loaded machine (seen at load average 13); nothing is asserted here.
    onTestFinished(async () => {
      await admin.query(`drop database if exists ${name}`)
      await admin.end()
    }, 120_000)
    const url = new URL(TEST_POSTGRES_URL)
    url.pathname = `/${name}`
    url.search = '?schema=tessera'
    const tenant = new pg.Pool({ connectionString: url.toString(), max: 2 })
    let churning = true
    const churn = async (worker: number) => {
      for (let i = 0; churning; i++) {
        const schema = `other_${worker}_${i}`
        await tenant.query(`create schema ${schema}; create table ${schema}.things (id bigint generated always as identity primary key)`)
        await tenant.query(`drop schema ${schema} cascade`)
      }
    }
    const workers = Promise.all([0, 1].map(churn))
    const database = openDatabase(url.toString())
    try {
      expect((await migrateToLatest(database)).applied).toEqual(MIGRATIONS)
      // The race is in what every run does first, with or without migrations to apply: the migrator
      // asks the introspector which schemas and tables exist (store/own-schema-introspector.ts; the
      // stock one reads every schema's tables and fails when one is dropped meanwhile). Each run
      // after the first is only that (~20 ms), so the race gets its chances without the 29
      // migrations' DDL each time (12 full runs took 18-23 s).
      for (let i = 0; i < INTROSPECTING_RUNS; i++) expect((await migrateToLatest(database)).applied).toEqual([])
    } finally {
      churning = false
      await workers
      await tenant.end()
      await database.db.destroy()
    }
  })
})

for (const dialect of DIALECTS) {
  describe(`migrations on ${dialect}`, () => testMigrations(dialect))
}
