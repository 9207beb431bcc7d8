import type { Kysely, Migration } from 'kysely'

/**
 * DPoP (RFC 9449, issue 16 part 4): the proofs seen (replay cache shared by every instance), the
 * key thumbprint (`cnf.jkt`) tokens are bound to, and the APIs that take DPoP-bound tokens only.
 */
export function dpop(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('dpop_proofs')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('dpop_proofs_expires_at').on('dpop_proofs').column('expires_at').execute()
      await db.schema.alterTable('refresh_tokens').addColumn('dpop_jkt', 'text').execute()
      await db.schema.alterTable('access_tokens').addColumn('dpop_jkt', 'text').execute()
      await db.schema
        .alterTable('apis')
        .addColumn('require_dpop', 'integer', (col) => col.notNull().defaultTo(0))
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('apis').dropColumn('require_dpop').execute()
      await db.schema.alterTable('access_tokens').dropColumn('dpop_jkt').execute()
      await db.schema.alterTable('refresh_tokens').dropColumn('dpop_jkt').execute()
      await db.schema.dropTable('dpop_proofs').execute()
    },
  }
}
