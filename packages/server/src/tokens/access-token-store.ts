import type { Selectable } from 'kysely'
import { compileOnce } from '../store/compiled-query.js'
import type { AccessTokensTable, Executor } from '../store/database.js'
import type { AccessTokenRecord } from './access-token.js'
import { type AccessTokenBindingReads, createAccessTokenBindingReads } from './access-token-binding.js'
import { accessTokenFromRow } from './access-token-row.js'
import { amrToColumn } from './amr-column.js'

export interface AccessTokenStore extends AccessTokenBindingReads {
  insert(record: AccessTokenRecord): Promise<void>
  findByJti(jti: string): Promise<AccessTokenRecord | null>
  /** An encrypted token's record, by the SHA-256 of the token as sent. */
  findByTokenHash(tokenHash: string): Promise<AccessTokenRecord | null>
  revoke(jti: string, now: number): Promise<boolean>
  /** Live (unexpired, unrevoked) tokens of a refresh family. */
  listLiveOfFamily(familyId: string, now: number): Promise<AccessTokenRecord[]>
  /** Live recorded tokens of an API (every opaque one, and JWTs issued with a refresh family). */
  listLiveOfApi(api: string, now: number): Promise<AccessTokenRecord[]>
}

export function createAccessTokenStore(db: Executor): AccessTokenStore {
  // Revocation of an opaque or encrypted token reads it (store/compiled-query.ts).
  const byJti = compileOnce(() => db.selectFrom('access_tokens').selectAll().where('jti', '=', ''))
  const byTokenHash = compileOnce(() => db.selectFrom('access_tokens').selectAll().where('token_hash', '=', ''))
  const bindingReads = createAccessTokenBindingReads(db)
  return {
    ...bindingReads,
    async insert(record) {
      await db
        .insertInto('access_tokens')
        .values({
          jti: record.jti,
          format: record.format,
          secret_hash: record.secretHash,
          family_id: record.familyId,
          session_id: record.sessionId,
          user_id: record.userId,
          client_id: record.clientId,
          api: record.api,
          scope: record.scope.join(' '),
          token_version: record.tokenVersion,
          auth_time: record.authTime,
          created_at: record.createdAt,
          expires_at: record.expiresAt,
          revoked_at: record.revokedAt,
          roles: record.roles ? record.roles.join(' ') : null,
          dpop_jkt: record.dpopJkt ?? null,
          token_hash: record.tokenHash ?? null,
          signing_kid: record.signingKid ?? null,
          amr: amrToColumn(record.amr),
        })
        .execute()
    },
    async findByJti(jti) {
      const row = (await db.executeQuery(byJti(jti))).rows[0]
      return row ? toRecord(row) : null
    },
    async findByTokenHash(tokenHash) {
      const row = (await db.executeQuery(byTokenHash(tokenHash))).rows[0]
      return row ? toRecord(row) : null
    },
    async revoke(jti, now) {
      const result = await db
        .updateTable('access_tokens')
        .set({ revoked_at: now })
        .where('jti', '=', jti)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async listLiveOfApi(api, now) {
      const rows = await db
        .selectFrom('access_tokens')
        .selectAll()
        .where('api', '=', api)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .execute()
      return rows.map(toRecord)
    },
    async listLiveOfFamily(familyId, now) {
      const rows = await db
        .selectFrom('access_tokens')
        .selectAll()
        .where('family_id', '=', familyId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', now)
        .execute()
      return rows.map(toRecord)
    },
  }
}

function toRecord(row: Selectable<AccessTokensTable>): AccessTokenRecord {
  return { ...accessTokenFromRow(row), familyId: row.family_id, tokenHash: row.token_hash }
}
