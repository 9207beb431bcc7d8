import { type Migration, Migrator, sql } from 'kysely'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createTestDatabase, DIALECTS } from '../../test/test-database.js'
import { migrateToLatest, migrations } from '../store/migrate.js'
import { type DialectName, type OpenDatabase, openDatabase } from '../store/open-database.js'
import type { Application } from './application.js'
import { createApplicationStore } from './application-store.js'

const T0 = Date.parse('2026-01-01T00:00:00Z')

function anApplication(overrides: Partial<Application> = {}): Application {
  return {
    id: `app_${Math.random().toString(36).slice(2, 12)}`,
    name: 'App',
    type: 'spa',
    secretHash: null,
    grants: ['authorization_code'],
    redirectUris: ['https://spa.example.test/callback', 'http://localhost:5173/cb'],
    apis: [],
    scopes: [],
    accessTokenTtl: null,
    refreshTokenTtl: null,
    firstParty: false,
    postLogoutRedirectUris: [],
    webOrigins: null,
    backchannelLogoutUri: null,
    backchannelLogoutSessionRequired: false,
    requirePushedAuthorizationRequests: false,
    requireMfa: false,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  }
}

function open(dialect: DialectName) {
  const test = createTestDatabase(dialect)
  const database = openDatabase(test.url)
  onTestFinished(async () => {
    await database.db.destroy()
    await test.drop()
  })
  return database
}

/** A migrator over some of the migrations, as an older or a differently ordered release had them. */
async function migratorOf(database: OpenDatabase, provided: Record<string, Migration>): Promise<Migrator> {
  if (database.schema) await database.db.schema.createSchema(database.schema).ifNotExists().execute()
  return new Migrator({
    db: database.db,
    provider: { getMigrations: async () => provided },
    allowUnorderedMigrations: true,
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  })
}

for (const dialect of DIALECTS) {
  describe(`the application store's web origins on ${dialect}`, () => {
    it('indexes the origins in force, follows updates and forgets a deleted application', async () => {
      const database = open(dialect)
      await migrateToLatest(database)
      const store = createApplicationStore(database.db)
      const spa = anApplication()
      await store.insert(spa)
      expect(await store.hasWebOrigin('https://spa.example.test')).toBe(true)
      expect(await store.hasWebOrigin('http://localhost:5173')).toBe(true)
      expect(await store.hasWebOrigin('https://other.example.test')).toBe(false)

      const changed = {
        ...spa,
        webOrigins: ['https://other.example.test'],
        firstParty: true,
        postLogoutRedirectUris: ['https://spa.example.test/'],
      }
      expect(await store.update(changed)).toBe(true)
      expect(await store.hasWebOrigin('https://spa.example.test')).toBe(false)
      expect(await store.hasWebOrigin('https://other.example.test')).toBe(true)
      // Every changeable setting is written, and read back as it was.
      expect(await store.findById(spa.id)).toEqual(changed)

      expect(await store.delete(spa.id)).toBe(true)
      expect(await store.hasWebOrigin('https://other.example.test')).toBe(false)
    })

    it('keeps an origin that two applications share until neither has it', async () => {
      const database = open(dialect)
      await migrateToLatest(database)
      const store = createApplicationStore(database.db)
      const one = anApplication()
      const two = anApplication({ type: 'web', secretHash: 'x', webOrigins: ['https://spa.example.test'] })
      await store.insert(one)
      await store.insert(two)
      await store.update({ ...one, webOrigins: [] })
      expect(await store.hasWebOrigin('https://spa.example.test')).toBe(true)
      await store.delete(two.id)
      expect(await store.hasWebOrigin('https://spa.example.test')).toBe(false)
    })

    it("0010-web-origins gives existing single-page apps their redirect URIs' origins", async () => {
      const database = open(dialect)
      const { error } = await (await migratorOf(database, migrations(database))).migrateTo('0006-admin-api')
      if (error) throw error
      for (const [id, type, uris] of [
        ['spa_1', 'spa', ['https://spa.example.test/cb', 'https://spa.example.test/other', 'http://127.0.0.1:8080/cb']],
        ['web_1', 'web', ['https://web.example.test/cb']],
      ] as const) {
        await sql`insert into applications (id, name, type, secret_hash, grants, redirect_uris, apis, scopes, created_at, updated_at)
          values (${id}, ${'App'}, ${type}, ${null}, ${'[]'}, ${JSON.stringify(uris)}, ${'[]'}, ${'[]'}, ${T0}, ${T0})`.execute(database.db)
      }
      await migrateToLatest(database)
      const rows = await database.db.selectFrom('application_web_origins').selectAll().orderBy('origin').execute()
      expect(rows).toEqual([
        { origin: 'http://127.0.0.1:8080', client_id: 'spa_1' },
        { origin: 'https://spa.example.test', client_id: 'spa_1' },
      ])
      expect((await createApplicationStore(database.db).findById('spa_1'))?.webOrigins).toBeNull()
    })

    it('0010-web-origins runs on a database that already ran the later migrations', async () => {
      const database = open(dialect)
      const { '0010-web-origins': _, ...others } = migrations(database)
      const { error } = await (await migratorOf(database, others)).migrateToLatest()
      if (error) throw error
      expect((await migrateToLatest(database)).applied).toEqual(['0010-web-origins'])
    })
  })
}
