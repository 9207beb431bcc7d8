import type { Kysely, Migration } from 'kysely'
import { sql } from 'kysely'

/**
 * The browser flow (OAuth 2.1 authorization code, OpenID Connect): application flags, pending
 * authorization requests, authorization codes and remembered consents.
 */
export function authorization(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('applications')
        .addColumn('first_party', 'integer', (col) => col.notNull().defaultTo(0))
        .execute()
      await db.schema
        .alterTable('applications')
        .addColumn('post_logout_redirect_uris', 'text', (col) => col.notNull().defaultTo(sql.lit('[]')))
        .execute()

      await db.schema
        .createTable('authorization_requests')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('client_id', 'text', (col) => col.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('browser_hash', 'text', (col) => col.notNull())
        .addColumn('csrf_hash', 'text', (col) => col.notNull())
        .addColumn('parameters', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('authorization_requests_expires_at').on('authorization_requests').column('expires_at').execute()

      await db.schema
        .createTable('authorization_codes')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('code_hash', 'text', (col) => col.notNull().unique())
        .addColumn('client_id', 'text', (col) => col.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('session_id', 'text', (col) => col.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('redirect_uri', 'text', (col) => col.notNull())
        .addColumn('code_challenge', 'text', (col) => col.notNull())
        .addColumn('nonce', 'text')
        .addColumn('scope', 'text', (col) => col.notNull())
        .addColumn('resource', 'text')
        .addColumn('auth_time', 'bigint', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('family_id', 'text')
        .execute()

      await db.schema
        .createTable('consents')
        .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('client_id', 'text', (col) => col.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('scope', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('consents_pk', ['user_id', 'client_id'])
        .execute()
    },
  }
}
