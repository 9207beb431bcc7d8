import { sql } from 'kysely'
import { compiledQuery } from '../store/compiled-query.js'
import type { Executor, SessionsTable } from '../store/database.js'
import type { ReadNow } from '../store/sqlite-read-now.js'
import type { User } from '../users/user.js'
import { toUser } from '../users/user-store.js'
import type { RevocationReason, Session } from './session.js'

export interface SessionStore {
  insert(session: Session): Promise<void>
  findById(id: string): Promise<Session | null>
  /** The session and its user in one read (every authenticated request makes it), whatever their state. */
  findWithUser(id: string): Promise<{ session: Session; user: User } | null>
  /** Sessions of a user that are neither revoked nor past the given cut-offs, newest first. */
  listLive(userId: string, cutoffs: { lastActiveAfter: number; now: number }): Promise<Session[]>
  touch(id: string, now: number): Promise<void>
  /**
   * Records a step-up on an unrevoked session of this user (docs/mfa.md "Step-up"): its methods and
   * sign-in time change, its id and secret do not. False when no such session exists.
   */
  stepUp(id: string, userId: string, amr: readonly string[], authTime: number): Promise<boolean>
  /** Revokes one live session; false when it was unknown or already revoked. */
  revoke(id: string, now: number, reason: RevocationReason): Promise<boolean>
  /** Revokes every unrevoked session of a user, except `keepId`; returns the ids revoked. */
  revokeAllOfUser(userId: string, now: number, reason: RevocationReason, keepId?: string): Promise<string[]>
}

const SESSION_COLUMNS = [
  'sessions.id',
  'sessions.user_id',
  'sessions.secret_hash',
  'sessions.created_at',
  'sessions.last_active_at',
  'sessions.absolute_expires_at',
  'sessions.auth_time',
  'sessions.amr',
  'sessions.user_agent',
  'sessions.ip',
  'sessions.revoked_at',
  'sessions.revoked_reason',
] as const satisfies readonly `sessions.${keyof SessionsTable}`[]

// One round trip instead of two on PostgreSQL, compiled once per database (store/compiled-query.ts:
// the stores of a transaction are made afresh for each one, and a refresh rotation reads it in its
// transaction), and a prepared statement there (store/prepared-statements.ts): every authenticated
// request makes it.
const selectWithUser = (db: Executor) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    // Named columns, not `sessions.*`: a prepared statement's result type must not change when a
    // migration adds a column (store/prepared-statements.ts).
    .select(SESSION_COLUMNS)
    .select([
      'users.email as user_email',
      'users.status as user_status',
      'users.token_version as user_token_version',
      'users.email_verified as user_email_verified',
      'users.created_at as user_created_at',
      'users.updated_at as user_updated_at',
    ])

const withUser = compiledQuery((db) => selectWithUser(db).where('sessions.id', '=', ''), { prepared: true })

// PostgreSQL only: the sessions of several checks, with their users, in one prepared query
// (createSessionBatchRead).
const manyWithUser = compiledQuery((db) => selectWithUser(db).where('sessions.id', '=', sql<string>`any(${''}::text[])`), {
  prepared: true,
})

type SessionWithUserRow = Awaited<ReturnType<ReturnType<typeof selectWithUser>['execute']>>[number]

/**
 * `readNow` (SQLite, reads outside transactions): the session check's read runs at once when the
 * connection is free, without the driver's async hand-offs (store/sqlite-read-now.ts).
 */
export function createSessionStore(db: Executor, readNow?: ReadNow): SessionStore {
  return {
    async insert(session) {
      await db.insertInto('sessions').values(toRow(session)).execute()
    },
    async findById(id) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toSession(row) : null
    },
    async findWithUser(id) {
      const query = withUser(db, id)
      const row = (readNow?.(query) ?? (await db.executeQuery(query)).rows)[0]
      return row ? toSessionWithUser(row) : null
    },
    async listLive(userId, { lastActiveAfter, now }) {
      const rows = await db
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .where('last_active_at', '>', lastActiveAfter)
        .where('absolute_expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute()
      return rows.map(toSession)
    },
    async touch(id, now) {
      await db.updateTable('sessions').set({ last_active_at: now }).where('id', '=', id).where('last_active_at', '<', now).execute()
    },
    async stepUp(id, userId, amr, authTime) {
      const result = await db
        .updateTable('sessions')
        .set({ amr: JSON.stringify(amr), auth_time: authTime, last_active_at: authTime })
        .where('id', '=', id)
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async revoke(id, now, reason) {
      const result = await db
        .updateTable('sessions')
        .set({ revoked_at: now, revoked_reason: reason })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async revokeAllOfUser(userId, now, reason, keepId) {
      let query = db
        .updateTable('sessions')
        .set({ revoked_at: now, revoked_reason: reason })
        .where('user_id', '=', userId)
        .where('revoked_at', 'is', null)
      if (keepId !== undefined) query = query.where('id', '!=', keepId)
      const rows = await query.returning('id').execute()
      return rows.map((row) => row.id).sort()
    },
  }
}

/**
 * PostgreSQL: the sessions with these ids and their users, in one query (`= any($1)`, a prepared
 * statement), in no particular order; unknown ids are left out. For the coalesced reads of the
 * session check (session-read-batch.ts); one id reads as `findWithUser` does.
 */
export function createSessionBatchRead(db: Executor, store: Pick<SessionStore, 'findWithUser'>) {
  return async (ids: readonly string[]): Promise<{ session: Session; user: User }[]> => {
    if (ids.length === 1) {
      const found = await store.findWithUser(ids[0] as string)
      return found ? [found] : []
    }
    const { rows } = await db.executeQuery(manyWithUser(db, ids))
    return rows.map(toSessionWithUser)
  }
}

function toSessionWithUser(row: SessionWithUserRow): { session: Session; user: User } {
  const user = toUser({
    id: row.user_id,
    email: row.user_email,
    status: row.user_status,
    token_version: row.user_token_version,
    email_verified: row.user_email_verified,
    created_at: row.user_created_at,
    updated_at: row.user_updated_at,
  })
  return { session: toSession(row), user }
}

function toRow(session: Session): SessionsTable {
  return {
    id: session.id,
    user_id: session.userId,
    secret_hash: session.secretHash,
    created_at: session.createdAt,
    last_active_at: session.lastActiveAt,
    absolute_expires_at: session.absoluteExpiresAt,
    auth_time: session.authTime,
    amr: JSON.stringify(session.amr),
    user_agent: session.userAgent,
    ip: session.ip,
    revoked_at: session.revokedAt,
    revoked_reason: session.revokedReason,
  }
}

/** A `sessions` row as a Session (also read joined with an access token: tokens/access-token-store.ts). */
export function toSession(row: SessionsTable): Session {
  return {
    id: row.id,
    userId: row.user_id,
    secretHash: row.secret_hash,
    createdAt: row.created_at,
    lastActiveAt: row.last_active_at,
    absoluteExpiresAt: row.absolute_expires_at,
    authTime: row.auth_time,
    amr: JSON.parse(row.amr) as string[],
    userAgent: row.user_agent,
    ip: row.ip,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
  }
}
