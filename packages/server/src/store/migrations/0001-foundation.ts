import { type Kysely, type Migration, sql } from 'kysely'
import type { DialectName } from '../open-database.js'

/** Users, password credentials, sessions, sign-in throttle, revocation log and event outbox. */
export function foundation(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const sequence = (name: string) =>
        dialect === 'sqlite'
          ? db.schema.createTable(name).addColumn('seq', 'integer', (col) => col.primaryKey().autoIncrement())
          : db.schema.createTable(name).addColumn('seq', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('email', 'text', (col) => col.notNull().unique())
        .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('active', 'disabled')`))
        .addColumn('token_version', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute()

      await db.schema
        .createTable('password_credentials')
        .addColumn('user_id', 'text', (col) => col.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('hash', 'text', (col) => col.notNull())
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute()

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (col) => col.primaryKey())
        .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
        .addColumn('secret_hash', 'text', (col) => col.notNull())
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('last_active_at', 'bigint', (col) => col.notNull())
        .addColumn('absolute_expires_at', 'bigint', (col) => col.notNull())
        .addColumn('auth_time', 'bigint', (col) => col.notNull())
        .addColumn('amr', 'text', (col) => col.notNull())
        .addColumn('user_agent', 'text')
        .addColumn('ip', 'text')
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoked_reason', 'text')
        .execute()
      await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute()

      await db.schema
        .createTable('sign_in_throttle')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('failures', 'integer', (col) => col.notNull())
        .addColumn('locked_until', 'bigint')
        .addColumn('updated_at', 'bigint', (col) => col.notNull())
        .execute()

      await sequence('revocation_log')
        .addColumn('kind', 'text', (col) => col.notNull())
        .addColumn('subject', 'text', (col) => col.notNull())
        .addColumn('min_token_version', 'integer')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .addColumn('expires_at', 'bigint', (col) => col.notNull())
        .execute()
      await db.schema.createIndex('revocation_log_expires_at').on('revocation_log').column('expires_at').execute()

      await sequence('event_outbox')
        .addColumn('type', 'text', (col) => col.notNull())
        .addColumn('actor', 'text', (col) => col.notNull())
        .addColumn('user_id', 'text')
        .addColumn('payload', 'text', (col) => col.notNull())
        .addColumn('ip', 'text')
        .addColumn('created_at', 'bigint', (col) => col.notNull())
        .execute()
    },
  }
}
