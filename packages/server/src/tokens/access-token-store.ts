import type { Insertable, Selectable } from 'kysely'
import { compiledQuery, compileOnce } from '../store/compiled-query.js'
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

const INSERT_COLUMNS = [
  'jti',
  'format',
  'secret_hash',
  'family_id',
  'session_id',
  'user_id',
  'client_id',
  'api',
  'scope',
  'token_version',
  'auth_time',
  'created_at',
  'expires_at',
  'revoked_at',
  'roles',
  'dpop_jkt',
  'token_hash',
  'signing_kid',
  'amr',
] as const satisfies readonly (keyof AccessTokensTable)[]

// Every grant that records its access token (a refresh rotation, an opaque or encrypted token)
// runs it: compiled once per database, a prepared statement on PostgreSQL (store/compiled-query.ts).
const insertQuery = compiledQuery(
  (db) =>
    db
      .insertInto('access_tokens')
      .values(Object.fromEntries(INSERT_COLUMNS.map((column) => [column, ''])) as Insertable<AccessTokensTable>),
  { prepared: true },
)

/** The values of a new row, in the order of INSERT_COLUMNS. */
function insertParameters(record: AccessTokenRecord): unknown[] {
  return [
    record.jti,
    record.format,
    record.secretHash,
    record.familyId,
    record.sessionId,
    record.userId,
    record.clientId,
    record.api,
    record.scope.join(' '),
    record.tokenVersion,
    record.authTime,
    record.createdAt,
    record.expiresAt,
    record.revokedAt,
    record.roles ? record.roles.join(' ') : null,
    record.dpopJkt ?? null,
    record.tokenHash ?? null,
    record.signingKid ?? null,
    amrToColumn(record.amr),
  ]
}

export function createAccessTokenStore(db: Executor): AccessTokenStore {
  // Revocation of an opaque or encrypted token reads it (store/compiled-query.ts).
  const byJti = compileOnce(() => db.selectFrom('access_tokens').selectAll().where('jti', '=', ''))
  const byTokenHash = compileOnce(() => db.selectFrom('access_tokens').selectAll().where('token_hash', '=', ''))
  const bindingReads = createAccessTokenBindingReads(db)
  return {
    ...bindingReads,
    async insert(record) {
      await db.executeQuery(insertQuery(db, ...insertParameters(record)))
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
