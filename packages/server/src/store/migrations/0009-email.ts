import { type Kysely, type Migration, sql } from 'kysely'

/**
 * Email delivery (its own cursor over the event outbox and a delivery log), account tokens (email
 * verification, password reset, change of email), the counters that rate-limit requests for
 * them, and `users.email_verified`. Literal values only: this migration never changes.
 */
export function email(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('users')
        .addColumn('email_verified', 'integer', (col) => col.notNull().defaultTo(0))
        .execute()

      // Where email fan-out has read the outbox to. Starts at the outbox's end, so an existing
      // installation does not mail its history when it upgrades.
      await db.schema
        .createTable('email_cursor')
        .addColumn('name', 'text', (col) => col.primaryKey())
        .addColumn('seq', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute()
      await sql`insert into email_cursor (name, seq, updated_at)
        select 'email', coalesce(max(seq), 0), 0 from event_outbox`.execute(db)

      await db.schema
        .createTable('email_deliveries')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('event_seq', 'bigint', (col) => col.notNull())
        .addColumn('template', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text')
        .addColumn('recipient', 'text', (col) => col.notNull())
        .addColumn('subject', 'text', (col) => col.notNull())
        // AES-256-GCM of the message's variables (links, codes); emptied once the delivery ends.
        .addColumn('sealed_variables', 'text')
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .addColumn('last_attempt_at', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('sent_at', 'bigint')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        // One message per template per event, however often fan-out runs.
        .addUniqueConstraint('email_deliveries_event_template', ['event_seq', 'template'])
        .execute()
      await db.schema.createIndex('email_deliveries_due').on('email_deliveries').columns(['status', 'next_attempt_at']).execute()
      await db.schema.createIndex('email_deliveries_created').on('email_deliveries').columns(['created_at', 'id']).execute()

      await db.schema
        .createTable('account_tokens')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('purpose', 'text', (col) => col.notNull())
        .addColumn('kind', 'text', (col) => col.notNull())
        // SHA-256 of a link token's secret, or HMAC-SHA-256 of a code: never the secret itself.
        .addColumn('secret_hash', 'text', (col) => col.notNull())
        // The address the token proves: the account's at issue, or the new one for a change.
        .addColumn('email', 'text', (col) => col.notNull())
        // For a reset: a fingerprint of the password hash at issue; a new password kills the token.
        .addColumn('credential_stamp', 'bigint')
        .addColumn('failed_attempts', 'integer', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .addColumn('used_at', 'bigint')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('account_tokens_user').on('account_tokens').columns(['user_id', 'purpose']).execute()
      await db.schema.createIndex('account_tokens_expiry').on('account_tokens').column('expires_at').execute()

      // Fixed-window counters for reset and verification requests, keyed by a hash of the address or IP.
      await db.schema
        .createTable('account_request_counters')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('count', 'integer', (col) => col.notNull())
        .addColumn('window_start', 'bigint', (col) => col.notNull())
        .execute()
    },
  }
}
