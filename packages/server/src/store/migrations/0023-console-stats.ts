import type { Kysely, Migration } from 'kysely'
import { sql } from 'kysely'

/**
 * Indexes for the admin stats (GET /admin/v1/stats, docs/console.md): sign-ins per hour are a
 * range scan of one action's entries by time, and active sessions are counted from a partial
 * index of the unrevoked ones that holds both expiry times (an index-only count).
 */
export function consoleStats(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.createIndex('audit_log_action_occurred').on('audit_log').columns(['action', 'occurred_at']).execute()
      await db.schema
        .createIndex('sessions_unrevoked_expiry')
        .on('sessions')
        .columns(['absolute_expires_at', 'last_active_at'])
        .where(sql.ref('revoked_at'), 'is', null)
        .execute()
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('sessions_unrevoked_expiry').execute()
      await db.schema.dropIndex('audit_log_action_occurred').execute()
    },
  }
}
