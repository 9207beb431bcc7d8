import type { Kysely, Migration } from 'kysely'

/**
 * A device authorization keeps the RFC 8176 methods (`amr`, a JSON array) of the session that
 * approved it, beside the `auth_time` it already keeps, as an authorization code does since
 * 0026-token-amr: the device's tokens then say how the user authenticated when they approved, not
 * what the session became by the time the device polled. Null in rows written before, and while
 * pending or denied: those read the session's methods, as before.
 */
export function deviceAuthorizationAmr(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('device_authorizations').addColumn('amr', 'text').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('device_authorizations').dropColumn('amr').execute()
    },
  }
}
