import type { Kysely, Migration } from 'kysely'

/**
 * Self-service flows (docs/architecture.md §11): one row per sign-in or sign-out in progress, bound
 * to the browser that started it. They replace the pending authorization requests of
 * 0005-authorization, which lived at most 15 minutes, so dropping that table loses nothing a user
 * could not restart.
 */
export function flows(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('flows')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('type', 'text', (col) => col.notNull())
        .addColumn('binding_hash', 'text', (col) => col.notNull())
        .addColumn('csrf_hash', 'text', (col) => col.notNull())
        .addColumn('next_steps', 'text', (col) => col.notNull())
        .addColumn('steps_done', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text', (col) => col.references('users.id').onDelete('cascade'))
        .addColumn('session_id', 'text')
        .addColumn('client_id', 'text', (col) => col.references('applications.id').onDelete('cascade'))
        .addColumn('context', 'text', (col) => col.notNull())
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('flows_expires_at').on('flows').column('expires_at').execute()
      await db.schema.dropTable('authorization_requests').execute()
    },
  }
}
