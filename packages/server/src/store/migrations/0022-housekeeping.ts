import type { Kysely, Migration } from 'kysely'

/**
 * Housekeeping (issue 18 part 4): indexes that let the background purge find expired rows by range
 * and delete sessions without scanning the tables that reference them (a foreign key's cascade
 * looks children up by `session_id`), and the master-key check value that `tessera restore`
 * compares against (issue 18 part 5).
 */
export function housekeeping(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const indexes: [name: string, table: string, column: string][] = [
        ['sessions_absolute_expires_at', 'sessions', 'absolute_expires_at'],
        ['sessions_last_active_at', 'sessions', 'last_active_at'],
        ['sessions_revoked_at', 'sessions', 'revoked_at'],
        ['refresh_tokens_session_id', 'refresh_tokens', 'session_id'],
        ['refresh_tokens_expires_at', 'refresh_tokens', 'expires_at'],
        ['authorization_codes_session_id', 'authorization_codes', 'session_id'],
        ['authorization_codes_expires_at', 'authorization_codes', 'expires_at'],
        ['access_tokens_expires_at', 'access_tokens', 'expires_at'],
        ['webhook_deliveries_updated_at', 'webhook_deliveries', 'updated_at'],
        ['email_deliveries_updated_at', 'email_deliveries', 'updated_at'],
        ['backchannel_logouts_updated_at', 'backchannel_logouts', 'updated_at'],
        ['account_request_counters_window_start', 'account_request_counters', 'window_start'],
      ]
      for (const [name, table, column] of indexes) {
        await db.schema.createIndex(name).on(table).column(column).execute()
      }
      // One row: an HMAC of a constant under a subkey of the master key, written at first start.
      await db.schema
        .createTable('master_key_check')
        .addColumn('id', 'integer', (col) => col.primaryKey())
        .addColumn('value', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute()
    },
  }
}
