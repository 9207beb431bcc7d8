import type { Kysely, Migration } from 'kysely'

/** Single-use WebAuthn challenges (issue 13). */
export function webauthnChallenges(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('webauthn_challenges')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('purpose', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text', (col) => col.references('users.id').onDelete('cascade'))
        .addColumn('challenge', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('webauthn_challenges_expires_at').on('webauthn_challenges').column('expires_at').execute()
    },
  }
}
