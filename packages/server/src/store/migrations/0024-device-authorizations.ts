import type { Kysely, Migration } from 'kysely'

/**
 * RFC 8628 device authorizations (issue 16 part 6): one row per `/oauth/device_authorization`
 * request, from the device's first poll to its single redemption. Only digests of the device code
 * and of the user code are stored; the approving session is referenced, so ending it ends what the
 * device was given (docs/architecture.md §2).
 */
export function deviceAuthorizations(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('device_authorizations')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('device_code_hash', 'text', (col) => col.notNull().unique())
        .addColumn('user_code_hash', 'text', (col) => col.notNull().unique())
        .addColumn('client_id', 'text', (col) => col.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('scope', 'text', (col) => col.notNull())
        .addColumn('resource', 'text')
        .addColumn('poll_interval', 'integer', (col) => col.notNull())
        .addColumn('last_polled_at', 'bigint')
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('session_id', 'text', (col) => col.references('sessions.id').onDelete('cascade'))
        .addColumn('user_id', 'text')
        .addColumn('auth_time', 'bigint')
        .addColumn('decided_at', 'bigint')
        .addColumn('used_at', 'bigint')
        .addColumn('family_id', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('device_authorizations_expires_at').on('device_authorizations').column('expires_at').execute()
      // Deleting a session cascades here (housekeeping deletes sessions in batches).
      await db.schema.createIndex('device_authorizations_session_id').on('device_authorizations').column('session_id').execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('device_authorizations').execute()
    },
  }
}
