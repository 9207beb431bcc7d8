import type { Kysely, Migration } from 'kysely'

/**
 * RFC 9126 pushed authorization requests: the requests waiting for their single use, and the
 * per-application switch that makes them required (issue 16 part 5).
 */
export function pushedAuthorizationRequests(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('pushed_authorization_requests')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('client_id', 'text', (col) => col.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('parameters', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .execute()
      await db.schema
        .createIndex('pushed_authorization_requests_expires_at')
        .on('pushed_authorization_requests')
        .column('expires_at')
        .execute()
      await db.schema
        .alterTable('applications')
        .addColumn('require_pushed_authorization_requests', 'integer', (col) => col.notNull().defaultTo(0))
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('applications').dropColumn('require_pushed_authorization_requests').execute()
      await db.schema.dropTable('pushed_authorization_requests').execute()
    },
  }
}
