import { type Kysely, type Migration, sql } from 'kysely'

/**
 * OpenID Connect Back-Channel Logout 1.0 (docs/oidc.md): an application's logout URI, which
 * relying parties received tokens for which session, the logout tokens waiting to be delivered,
 * and how far into the event outbox the back-channel dispatcher has read.
 */
export function backchannel(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('applications').addColumn('backchannel_logout_uri', 'text').execute()
      await db.schema
        .alterTable('applications')
        .addColumn('backchannel_logout_session_required', 'integer', (col) => col.notNull().defaultTo(0))
        .execute()

      // No foreign key to sessions or users: the record must outlive a deleted account, whose
      // sessions end (and must be announced) in the same transaction that removes them.
      await db.schema
        .createTable('session_relying_parties')
        .addColumn('session_id', 'text', (col) => col.notNull())
        .addColumn('client_id', 'text', (col) => col.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addPrimaryKeyConstraint('session_relying_parties_pk', ['session_id', 'client_id'])
        .execute()
      await db.schema.createIndex('session_relying_parties_created_at').on('session_relying_parties').column('created_at').execute()

      await db.schema
        .createTable('backchannel_logouts')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('client_id', 'text', (col) => col.notNull().references('applications.id').onDelete('cascade'))
        .addColumn('session_id', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull())
        .addColumn('attempts', 'integer', (col) => col.notNull())
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('lease_until', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('last_status', 'integer')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('backchannel_logouts_due').on('backchannel_logouts').columns(['status', 'next_attempt_at']).execute()

      // Starts after the events already in the outbox: sessions that ended before this release
      // are not announced now.
      await db.schema
        .createTable('backchannel_cursor')
        .addColumn('id', 'integer', (col) => col.primaryKey())
        .addColumn('outbox_seq', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute()
      await sql`insert into backchannel_cursor (id, outbox_seq, updated_at)
        select ${1}, coalesce(max(seq), ${0}), ${Date.now()} from event_outbox`.execute(db)
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('backchannel_cursor').execute()
      await db.schema.dropTable('backchannel_logouts').execute()
      await db.schema.dropTable('session_relying_parties').execute()
      await db.schema.alterTable('applications').dropColumn('backchannel_logout_session_required').execute()
      await db.schema.alterTable('applications').dropColumn('backchannel_logout_uri').execute()
    },
  }
}
