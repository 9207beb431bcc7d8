import type { Selectable } from 'kysely'
import type { Executor, IdentitiesTable } from '../store/database.js'
import type { Identity } from './connection.js'

/** Upstream identities linked to accounts, one per (connection, upstream subject). */
export interface IdentityStore {
  /** Throws a unique violation when the (connection, subject) pair is already linked. */
  insert(identity: Identity): Promise<void>
  findBySubject(connectionId: string, subject: string): Promise<Identity | null>
  listByUser(userId: string): Promise<Identity[]>
  countByUser(userId: string): Promise<number>
  touch(id: string, now: number): Promise<void>
  /** Deletes one identity of the user; false when it is not theirs or is gone. */
  delete(id: string, userId: string): Promise<boolean>
  /** Whether the user has a password (another way to sign in than its identities). */
  hasPassword(userId: string): Promise<boolean>
}

export function createIdentityStore(db: Executor): IdentityStore {
  return {
    async insert(identity) {
      await db
        .insertInto('identities')
        .values({
          id: identity.id,
          connection_id: identity.connectionId,
          subject: identity.subject,
          user_id: identity.userId,
          email: identity.email,
          created_at: identity.createdAt,
          last_used_at: identity.lastUsedAt,
        })
        .execute()
    },
    async findBySubject(connectionId, subject) {
      const row = await db
        .selectFrom('identities')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .where('subject', '=', subject)
        .executeTakeFirst()
      return row ? toIdentity(row) : null
    },
    async listByUser(userId) {
      return (await db.selectFrom('identities').selectAll().where('user_id', '=', userId).orderBy('created_at').execute()).map(toIdentity)
    },
    async countByUser(userId) {
      const row = await db
        .selectFrom('identities')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow()
      return Number(row.count)
    },
    async touch(id, now) {
      await db.updateTable('identities').set({ last_used_at: now }).where('id', '=', id).execute()
    },
    async delete(id, userId) {
      const result = await db.deleteFrom('identities').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
    hasPassword: (userId) => userHasPassword(db, userId),
  }
}

function toIdentity(row: Selectable<IdentitiesTable>): Identity {
  return {
    id: row.id,
    connectionId: row.connection_id,
    subject: row.subject,
    userId: row.user_id,
    email: row.email,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  }
}

/**
 * Whether the user can sign in with a password. Read here, beside the identities, for one rule:
 * unlinking must leave the account at least one way to sign in.
 */
export async function userHasPassword(db: Executor, userId: string): Promise<boolean> {
  const row = await db.selectFrom('password_credentials').select('user_id').where('user_id', '=', userId).executeTakeFirst()
  return row !== undefined
}
