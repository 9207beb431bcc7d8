import type { Kysely, Migration } from 'kysely'

/**
 * Issue 13 §6 (step-up in place): an authorization code, a refresh token and an access token record
 * keep the RFC 8176 methods (`amr`, a JSON array) of the authentication they came from, beside the
 * `auth_time` they already keep, so a later step-up of the session changes only tokens issued after
 * it. Null in rows written before: those read the session's methods, as before.
 */
export function tokenAmr(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('authorization_codes').addColumn('amr', 'text').execute()
      await db.schema.alterTable('refresh_tokens').addColumn('amr', 'text').execute()
      await db.schema.alterTable('access_tokens').addColumn('amr', 'text').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('access_tokens').dropColumn('amr').execute()
      await db.schema.alterTable('refresh_tokens').dropColumn('amr').execute()
      await db.schema.alterTable('authorization_codes').dropColumn('amr').execute()
    },
  }
}
