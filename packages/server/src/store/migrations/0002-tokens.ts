import type { Kysely, Migration } from 'kysely'

/** Signing keys, applications (clients), APIs (resources), refresh tokens and recorded access tokens. */
export function tokens(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (col) => col.primaryKey())
        .addColumn('alg', 'text', (col) => col.notNull())
        .addColumn('state', 'text', (col) => col.notNull())
        .addColumn('public_jwk', 'text', (col) => col.notNull())
        .addColumn('encrypted_private_key', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('activates_at', 'bigint')
        .addColumn('retired_at', 'bigint')
        .addColumn('remove_after', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute()

      await db.schema
        .createTable('apis')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('identifier', 'text', (col) => col.notNull().unique())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('mode', 'text', (col) => col.notNull())
        .addColumn('access_token_ttl', 'integer', (col) => col.notNull())
        .addColumn('scopes', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute()

      await db.schema
        .createTable('applications')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('type', 'text', (col) => col.notNull())
        .addColumn('secret_hash', 'text')
        .addColumn('grants', 'text', (col) => col.notNull())
        .addColumn('redirect_uris', 'text', (col) => col.notNull())
        .addColumn('apis', 'text', (col) => col.notNull())
        .addColumn('scopes', 'text', (col) => col.notNull())
        .addColumn('access_token_ttl', 'integer')
        .addColumn('refresh_token_ttl', 'integer')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute()

      await db.schema
        .createTable('refresh_tokens')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('family_id', 'text', (col) => col.notNull())
        .addColumn('parent_id', 'text', (col) => col.unique())
        .addColumn('session_id', 'text', (col) => col.notNull().references('sessions.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('client_id', 'text', (col) => col.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('api', 'text', (col) => col.notNull())
        .addColumn('scope', 'text', (col) => col.notNull())
        .addColumn('secret_hash', 'text', (col) => col.notNull())
        .addColumn('auth_time', 'bigint', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .addColumn('family_expires_at', 'bigint', (col) => col.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute()
      await db.schema.createIndex('refresh_tokens_family_id').on('refresh_tokens').column('family_id').execute()

      await db.schema
        .createTable('access_tokens')
        .addColumn('jti', 'text', (col) => col.primaryKey())
        .addColumn('format', 'text', (col) => col.notNull())
        .addColumn('secret_hash', 'text')
        .addColumn('family_id', 'text')
        .addColumn('session_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('client_id', 'text', (col) => col.notNull())
        .addColumn('api', 'text', (col) => col.notNull())
        .addColumn('scope', 'text', (col) => col.notNull())
        .addColumn('token_version', 'integer')
        .addColumn('auth_time', 'bigint')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute()
      await db.schema.createIndex('access_tokens_family_id').on('access_tokens').column('family_id').execute()

      await db.schema.createIndex('revocation_log_subject').on('revocation_log').columns(['subject', 'kind']).execute()
    },
  }
}
