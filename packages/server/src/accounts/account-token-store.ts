import { createHash } from 'node:crypto'
import type { Selectable } from 'kysely'
import type { AccountTokensTable, Executor } from '../store/database.js'
import type { AccountToken, AccountTokenKind, AccountTokenPurpose } from './account-token.js'

/** Account tokens, and the one fact about a password they need: when it was last set. */
export interface AccountTokenStore {
  insert(token: AccountToken): Promise<void>
  findById(id: string): Promise<AccountToken | null>
  /** Live (unused, unexpired) tokens of one user, purpose and kind, newest first. */
  listLive(userId: string, purpose: AccountTokenPurpose, kind: AccountTokenKind, now: number): Promise<AccountToken[]>
  /** Spends a token; false when it was spent already (so only one of two racing uses wins). */
  markUsed(id: string, now: number): Promise<boolean>
  /** Counts a wrong code; returns the new count. */
  recordFailure(id: string): Promise<number>
  /** Spends every live token of a user for a purpose (a newer one supersedes them, or they are moot). */
  retireAll(userId: string, purpose: AccountTokenPurpose, now: number): Promise<void>
  /** Spends the live tokens of one kind only (a new reset code supersedes the older codes; links stay). */
  retireKind(userId: string, purpose: AccountTokenPurpose, kind: AccountTokenKind, now: number): Promise<void>
  /** A fingerprint of the user's current password hash, or null without one; it changes with every new password. */
  credentialStamp(userId: string): Promise<number | null>
  /** Deletes tokens that expired before `before`. */
  prune(before: number): Promise<number>
}

export function createAccountTokenStore(db: Executor): AccountTokenStore {
  return {
    async insert(token) {
      await db
        .insertInto('account_tokens')
        .values({
          id: token.id,
          user_id: token.userId,
          purpose: token.purpose,
          kind: token.kind,
          secret_hash: token.secretHash,
          email: token.email,
          credential_stamp: token.credentialStamp,
          failed_attempts: token.failedAttempts,
          expires_at: token.expiresAt,
          used_at: token.usedAt,
          created_at: token.createdAt,
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('account_tokens').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toToken(row) : null
    },
    async listLive(userId, purpose, kind, now) {
      const rows = await db
        .selectFrom('account_tokens')
        .selectAll()
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .where('kind', '=', kind)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .orderBy('created_at', 'desc')
        .execute()
      return rows.map(toToken)
    },
    async markUsed(id, now) {
      const result = await db
        .updateTable('account_tokens')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async recordFailure(id) {
      await db
        .updateTable('account_tokens')
        .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
        .where('id', '=', id)
        .execute()
      const row = await db.selectFrom('account_tokens').select('failed_attempts').where('id', '=', id).executeTakeFirst()
      return row?.failed_attempts ?? 0
    },
    async retireAll(userId, purpose, now) {
      await db
        .updateTable('account_tokens')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .where('used_at', 'is', null)
        .execute()
    },
    async retireKind(userId, purpose, kind, now) {
      await db
        .updateTable('account_tokens')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .where('kind', '=', kind)
        .where('used_at', 'is', null)
        .execute()
    },
    async credentialStamp(userId) {
      const row = await db.selectFrom('password_credentials').select('hash').where('user_id', '=', userId).executeTakeFirst()
      // 48 bits of SHA-256 of the PHC string: every new hash has a new salt, so any password set
      // by any path (or a rehash) changes it. It fits the bigint column and a JS number exactly.
      return row ? createHash('sha256').update(row.hash).digest().readUIntBE(0, 6) : null
    },
    async prune(before) {
      const result = await db.deleteFrom('account_tokens').where('expires_at', '<', before).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}

function toToken(row: Selectable<AccountTokensTable>): AccountToken {
  return {
    id: row.id,
    userId: row.user_id,
    purpose: row.purpose,
    kind: row.kind,
    secretHash: row.secret_hash,
    email: row.email,
    credentialStamp: row.credential_stamp === null ? null : Number(row.credential_stamp),
    failedAttempts: row.failed_attempts,
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
    createdAt: Number(row.created_at),
  }
}
