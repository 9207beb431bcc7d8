import type { Kysely, Migration } from 'kysely'

/**
 * Upstream identity providers ("connections") and the upstream identities linked to accounts
 * (issue 15). Client secrets are sealed under a subkey of the master key; an identity is keyed by
 * its connection and the upstream subject, never by email.
 */
export function connections(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('connections')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('type', 'text', (col) => col.notNull())
        .addColumn('preset', 'text')
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('icon_url', 'text')
        .addColumn('issuer', 'text')
        .addColumn('authorization_endpoint', 'text')
        .addColumn('token_endpoint', 'text')
        .addColumn('userinfo_endpoint', 'text')
        .addColumn('emails_endpoint', 'text')
        .addColumn('user_mapping', 'text', (col) => col.notNull())
        .addColumn('client_id', 'text', (col) => col.notNull())
        .addColumn('client_secret_sealed', 'text')
        .addColumn('scopes', 'text', (col) => col.notNull())
        .addColumn('applications', 'text')
        .addColumn('allow_sign_up', 'integer', (col) => col.notNull())
        .addColumn('allowed_hosts', 'text', (col) => col.notNull())
        .addColumn('allow_insecure_development', 'integer', (col) => col.notNull())
        .addColumn('enabled', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute()

      await db.schema
        .createTable('identities')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('connection_id', 'text', (col) => col.notNull().references('connections.id').onDelete('cascade'))
        .addColumn('subject', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('email', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('last_used_at', 'bigint')
        .addUniqueConstraint('identities_connection_subject', ['connection_id', 'subject'])
        .execute()
      await db.schema.createIndex('identities_user_id').on('identities').column('user_id').execute()
    },
  }
}
