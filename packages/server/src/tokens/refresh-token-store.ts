import type { Selectable } from 'kysely'
import type { Executor, RefreshTokensTable } from '../store/database.js'
import { amrFromColumn, amrToColumn } from './amr-column.js'
import type { RefreshToken } from './refresh-token.js'

export interface RefreshTokenStore {
  insert(token: RefreshToken): Promise<void>
  findById(id: string): Promise<RefreshToken | null>
  findChild(parentId: string): Promise<RefreshToken | null>
  /** Marks a token rotated; false when another request rotated it first (atomic redemption). */
  markUsed(id: string, now: number): Promise<boolean>
  /**
   * Marks a token rotated if it is live now (unused, unrevoked, unexpired) and returns it as
   * stored then; null otherwise, writing nothing. One statement for the usual rotation, instead
   * of a read and then `markUsed`; the caller checks the secret after and rolls back if it is wrong.
   */
  redeem(id: string, now: number): Promise<RefreshToken | null>
  /** Revokes every live token of a family; returns how many. */
  revokeFamily(familyId: string, now: number): Promise<number>
  /** Revokes every live refresh token for an API (it was deleted); returns how many. */
  revokeAllOfApi(api: string, now: number): Promise<number>
}

export function createRefreshTokenStore(db: Executor): RefreshTokenStore {
  return {
    async insert(token) {
      await db
        .insertInto('refresh_tokens')
        .values({
          id: token.id,
          family_id: token.familyId,
          parent_id: token.parentId,
          session_id: token.sessionId,
          user_id: token.userId,
          client_id: token.clientId,
          api: token.api,
          scope: token.scope.join(' '),
          secret_hash: token.secretHash,
          auth_time: token.authTime,
          created_at: token.createdAt,
          expires_at: token.expiresAt,
          family_expires_at: token.familyExpiresAt,
          used_at: token.usedAt,
          revoked_at: token.revokedAt,
          id_token_scope: token.idTokenScope === null ? null : token.idTokenScope.join(' '),
          dpop_jkt: token.dpopJkt ?? null,
          amr: amrToColumn(token.amr),
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('refresh_tokens').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toToken(row) : null
    },
    async findChild(parentId) {
      const row = await db.selectFrom('refresh_tokens').selectAll().where('parent_id', '=', parentId).executeTakeFirst()
      return row ? toToken(row) : null
    },
    async markUsed(id, now) {
      const result = await db
        .updateTable('refresh_tokens')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async redeem(id, now) {
      // PostgreSQL (read committed): a concurrent redemption of the same row holds it; this UPDATE
      // waits, then re-checks `used_at is null` on the committed row and matches nothing.
      const row = await db
        .updateTable('refresh_tokens')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .where('family_expires_at', '>', now)
        .returningAll()
        .executeTakeFirst()
      return row ? toToken(row) : null
    },
    async revokeAllOfApi(api, now) {
      const result = await db
        .updateTable('refresh_tokens')
        .set({ revoked_at: now })
        .where('api', '=', api)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows)
    },
    async revokeFamily(familyId, now) {
      // PostgreSQL (read committed): a rotation in flight holds its parent row, so this UPDATE waits
      // for it, but the statement's snapshot predates the successor that rotation inserts, which
      // would survive. Each new statement sees what was committed meanwhile: repeat until nothing is
      // left. A rotation cannot start from a row this transaction has revoked (markUsed checks it).
      let total = 0
      for (;;) {
        const result = await db
          .updateTable('refresh_tokens')
          .set({ revoked_at: now })
          .where('family_id', '=', familyId)
          .where('revoked_at', 'is', null)
          .executeTakeFirst()
        const updated = Number(result.numUpdatedRows)
        if (updated === 0) return total
        total += updated
      }
    },
  }
}

function toToken(row: Selectable<RefreshTokensTable>): RefreshToken {
  return {
    id: row.id,
    familyId: row.family_id,
    parentId: row.parent_id,
    sessionId: row.session_id,
    userId: row.user_id,
    clientId: row.client_id,
    api: row.api,
    scope: row.scope === '' ? [] : row.scope.split(' '),
    secretHash: row.secret_hash,
    authTime: row.auth_time,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    familyExpiresAt: row.family_expires_at,
    usedAt: row.used_at,
    revokedAt: row.revoked_at,
    idTokenScope: row.id_token_scope === null ? null : row.id_token_scope.split(' ').filter(Boolean),
    dpopJkt: row.dpop_jkt,
    amr: amrFromColumn(row.amr),
  }
}
