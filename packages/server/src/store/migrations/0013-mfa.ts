import type { Kysely, Migration } from 'kysely'

/** Second factors and recovery codes (issue 13). */
export function mfa(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('mfa_factors')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('totp_secret_sealed', 'text')
        .addColumn('totp_last_step', 'bigint')
        .addColumn('webauthn_credential_id', 'text', (col) => col.unique())
        .addColumn('webauthn_public_key', 'text')
        .addColumn('webauthn_counter', 'bigint')
        .addColumn('webauthn_transports', 'text')
        .addColumn('webauthn_backed_up', 'integer')
        .addColumn('webauthn_device_type', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('confirmed_at', 'bigint')
        .addColumn('last_used_at', 'bigint')
        .execute()
      await db.schema.createIndex('mfa_factors_user_id').on('mfa_factors').column('user_id').execute()

      await db.schema
        .createTable('recovery_codes')
        .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('code_hash', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('used_at', 'bigint')
        .addPrimaryKeyConstraint('recovery_codes_pk', ['user_id', 'code_hash'])
        .execute()
    },
  }
}
