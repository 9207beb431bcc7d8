import type { Kysely, Migration } from 'kysely'

/** An application that requires a second factor of every user who signs in to it (docs/mfa.md "Policy"). */
export function requireMfa(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('applications')
        .addColumn('require_mfa', 'integer', (col) => col.notNull().defaultTo(0))
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('applications').dropColumn('require_mfa').execute()
    },
  }
}
