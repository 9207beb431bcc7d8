import type { Kysely, Migration } from 'kysely'

/** Webhook endpoints and their delivery log. */
export function webhooks(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('url', 'text', (col) => col.notNull())
        .addColumn('event_types', 'text', (col) => col.notNull())
        .addColumn('allow_insecure_development', 'integer', (col) => col.notNull())
        .addColumn('encrypted_secret', 'text', (col) => col.notNull())
        .addColumn('previous_encrypted_secret', 'text')
        .addColumn('previous_secret_expires_at', 'bigint')
        .addColumn('outbox_cursor', 'bigint', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute()

      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('endpoint_id', 'text', (col) => col.notNull().references('webhook_endpoints.id').onDelete('cascade'))
        .addColumn('event_seq', 'bigint', (col) => col.notNull())
        .addColumn('event_type', 'text', (col) => col.notNull())
        .addColumn('payload', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('last_response_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        // One delivery per event per endpoint, however often fan-out runs.
        .addUniqueConstraint('webhook_deliveries_endpoint_event', ['endpoint_id', 'event_seq'])
        .execute()
      await db.schema.createIndex('webhook_deliveries_due').on('webhook_deliveries').columns(['status', 'next_attempt_at']).execute()
      await db.schema.createIndex('webhook_deliveries_endpoint').on('webhook_deliveries').columns(['endpoint_id', 'created_at']).execute()
    },
  }
}
