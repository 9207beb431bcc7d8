import type { Kysely, Migration } from 'kysely'

/**
 * Per-IP rate-limit counters shared by every instance (issue 18 part 2), for installations
 * without Redis: one fixed window per key. Literal values only: this migration never changes.
 */
export function ops(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rate_limit_counters')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('count', 'integer', (col) => col.notNull())
        .addColumn('reset_at', 'bigint', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('rate_limit_counters_reset_at').on('rate_limit_counters').column('reset_at').execute()
    },
  }
}
