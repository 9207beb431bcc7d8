import type { Selectable } from 'kysely'
import { compiledInsert, compiledQuery } from '../store/compiled-query.js'
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

/** Every column, named: a prepared statement's result must not change when a migration adds one. */
const COLUMNS = [
  'id',
  'family_id',
  'parent_id',
  'session_id',
  'user_id',
  'client_id',
  'api',
  'scope',
  'secret_hash',
  'auth_time',
  'created_at',
  'expires_at',
  'family_expires_at',
  'used_at',
  'revoked_at',
  'id_token_scope',
  'dpop_jkt',
  'amr',
] as const satisfies readonly (keyof RefreshTokensTable)[]

// Every rotation runs these two (tokens/grants/refresh-token-grant.ts): compiled once per
// database, and prepared statements on PostgreSQL (store/compiled-query.ts).
const insertQuery = compiledInsert('refresh_tokens', COLUMNS)
const redeemQuery = compiledQuery(
  (db) =>
    db
      .updateTable('refresh_tokens')
      .set({ used_at: 0 })
      .where('id', '=', '')
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', 0)
      .where('family_expires_at', '>', 0)
      .returning(COLUMNS),
  { prepared: true },
)

/** The values of a new row, in the order of COLUMNS. */
function insertParameters(token: RefreshToken): unknown[] {
  return [
    token.id,
    token.familyId,
    token.parentId,
    token.sessionId,
    token.userId,
    token.clientId,
    token.api,
    token.scope.join(' '),
    token.secretHash,
    token.authTime,
    token.createdAt,
    token.expiresAt,
    token.familyExpiresAt,
    token.usedAt,
    token.revokedAt,
    token.idTokenScope === null ? null : token.idTokenScope.join(' '),
    token.dpopJkt ?? null,
    amrToColumn(token.amr),
  ]
}

export function createRefreshTokenStore(db: Executor): RefreshTokenStore {
  return {
    async insert(token) {
      await db.executeQuery(insertQuery(db, ...insertParameters(token)))
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
      const row = (await db.executeQuery(redeemQuery(db, now, id, now, now))).rows[0]
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
