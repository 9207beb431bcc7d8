import { type Kysely, type Migration, sql } from 'kysely'

// Literal values, as they were when this migration was written: a migration is permanent, so it
// never imports constants that may change later (admin/admin-api.ts holds today's values).
const ADMIN_API_ID = 'api_tessera_admin'
const ADMIN_API_IDENTIFIER = 'urn:tessera:admin'
const ADMIN_API_MODE = 'session'
const ADMIN_TOKEN_TTL = 300
const ADMIN_PERMISSIONS = ['admin:read', 'admin:write']

/**
 * Seeds the built-in admin API (audience urn:tessera:admin), so it exists before
 * `tessera admin bootstrap` and on every instance, whichever runs the migrations. Seeding here
 * rather than at start-up keeps start-up read-only and makes the seed happen exactly once.
 * An API an operator registered under that identifier before this release is adopted: it keeps
 * its id and gains the two admin permissions.
 */
export function adminApi(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const now = Date.now()
      const existing = await sql<{ scopes: string }>`select scopes from apis where identifier = ${ADMIN_API_IDENTIFIER}`.execute(db)
      const row = existing.rows[0]
      if (row) {
        const scopes = [...new Set([...(JSON.parse(row.scopes) as string[]), ...ADMIN_PERMISSIONS])]
        await sql`update apis set scopes = ${JSON.stringify(scopes)}, updated_at = ${now} where identifier = ${ADMIN_API_IDENTIFIER}`.execute(
          db,
        )
        return
      }
      await sql`insert into apis (id, identifier, name, mode, access_token_ttl, scopes, created_at, updated_at)
        values (${ADMIN_API_ID}, ${ADMIN_API_IDENTIFIER}, ${'Tessera admin API'}, ${ADMIN_API_MODE}, ${ADMIN_TOKEN_TTL},
        ${JSON.stringify(ADMIN_PERMISSIONS)}, ${now}, ${now})`.execute(db)
    },
    async down(db: Kysely<unknown>) {
      await sql`delete from apis where id = ${ADMIN_API_ID}`.execute(db)
    },
  }
}
