import type { Selectable } from 'kysely'
import { sql } from 'kysely'
import type { AuthorizationCodesTable, Executor } from '../store/database.js'
import { amrFromColumn, amrToColumn } from './amr-column.js'

/** An issued authorization code and everything it is bound to (RFC 6749 §4.1.2, RFC 7636 §4.4). */
export interface AuthorizationCode {
  id: string
  codeHash: string
  clientId: string
  sessionId: string
  userId: string
  redirectUri: string
  codeChallenge: string
  nonce: string | null
  scope: string[]
  resource: string | null
  authTime: number
  /** RFC 8176 methods of the session when the code was issued (0026); null in older rows. */
  amr?: string[] | null
  createdAt: number
  expiresAt: number
  usedAt: number | null
  familyId: string | null
  /** RFC 9449 §10: the DPoP key (`dpop_jkt`) the token request must prove, or null. */
  dpopJkt?: string | null
}

export interface AuthorizationCodeStore {
  insert(code: AuthorizationCode): Promise<void>
  findByHash(codeHash: string): Promise<AuthorizationCode | null>
  findById(id: string): Promise<AuthorizationCode | null>
  /** Marks it redeemed and records the token family issued; false when it was redeemed already (atomic). */
  redeem(id: string, now: number, familyId: string): Promise<boolean>
  /** Drops codes that expired before `before`; returns how many. */
  prune(before: number): Promise<number>
}

export function createAuthorizationCodeStore(db: Executor): AuthorizationCodeStore {
  return {
    async insert(code) {
      await db
        .insertInto('authorization_codes')
        .values({
          id: code.id,
          code_hash: code.codeHash,
          client_id: code.clientId,
          session_id: code.sessionId,
          user_id: code.userId,
          redirect_uri: code.redirectUri,
          code_challenge: code.codeChallenge,
          nonce: code.nonce,
          scope: code.scope.join(' '),
          resource: code.resource,
          auth_time: code.authTime,
          amr: amrToColumn(code.amr),
          created_at: code.createdAt,
          expires_at: code.expiresAt,
          used_at: code.usedAt,
          family_id: code.familyId,
          dpop_jkt: code.dpopJkt ?? null,
        })
        .execute()
    },
    async findByHash(codeHash) {
      const row = await db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst()
      return row ? toCode(row) : null
    },
    async findById(id) {
      const row = await db.selectFrom('authorization_codes').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toCode(row) : null
    },
    async redeem(id, now, familyId) {
      const result = await db
        .updateTable('authorization_codes')
        .set({ used_at: now, family_id: familyId })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) !== 1) return false
      // The client now holds tokens for the code's session: when it ends, the client is told
      // (OIDC Back-Channel Logout 1.0, backchannel/). Same transaction as the redemption.
      await db
        .insertInto('session_relying_parties')
        .columns(['session_id', 'client_id', 'user_id', 'created_at'])
        .expression(
          db
            .selectFrom('authorization_codes')
            .select(['session_id', 'client_id', 'user_id', sql.lit(now).as('created_at')])
            .where('id', '=', id),
        )
        .onConflict((conflict) => conflict.columns(['session_id', 'client_id']).doNothing())
        .execute()
      return true
    },
    async prune(before) {
      const result = await db.deleteFrom('authorization_codes').where('expires_at', '<', before).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}

function toCode(row: Selectable<AuthorizationCodesTable>): AuthorizationCode {
  return {
    id: row.id,
    codeHash: row.code_hash,
    clientId: row.client_id,
    sessionId: row.session_id,
    userId: row.user_id,
    redirectUri: row.redirect_uri,
    codeChallenge: row.code_challenge,
    nonce: row.nonce,
    scope: row.scope === '' ? [] : row.scope.split(' '),
    resource: row.resource,
    authTime: Number(row.auth_time),
    amr: amrFromColumn(row.amr),
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    usedAt: row.used_at === null ? null : Number(row.used_at),
    familyId: row.family_id,
    dpopJkt: row.dpop_jkt,
  }
}
