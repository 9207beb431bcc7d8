import type { Selectable } from 'kysely'
import { compiledInsert, compiledQuery } from '../store/compiled-query.js'
import type { AccessTokensTable, Executor } from '../store/database.js'
import type { ReadNow } from '../store/sqlite-read-now.js'
import type { AccessTokenRecord } from './access-token.js'
import { type AccessTokenBindingReads, createAccessTokenBindingReads } from './access-token-binding.js'
import { accessTokenFromRow } from './access-token-row.js'
import { amrToColumn } from './amr-column.js'

export interface AccessTokenStore extends AccessTokenBindingReads {
  insert(record: AccessTokenRecord): Promise<void>
  /** What revoking an opaque token needs of its record (tokens/token-revocation-service.ts). */
  findByJti(jti: string): Promise<RevocableAccessToken | null>
  /** The same of an encrypted token, by the SHA-256 of the token as sent. */
  findByTokenHash(tokenHash: string): Promise<RevocableAccessToken | null>
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
const insertQuery = compiledInsert('access_tokens', INSERT_COLUMNS)

/** The fields of a recorded token that revoking it reads: its owner, its secret, whether it still lives. */
export type RevocableAccessToken = Pick<
  AccessTokenRecord,
  'jti' | 'format' | 'secretHash' | 'clientId' | 'userId' | 'expiresAt' | 'revokedAt'
>

const REVOCABLE_COLUMNS = ['jti', 'format', 'secret_hash', 'client_id', 'user_id', 'expires_at', 'revoked_at'] as const

// Revocation reads a recorded token by its id or its digest: compiled once per database, only the
// columns it uses, prepared on PostgreSQL (docs/architecture.md §12).
const byJtiQuery = compiledQuery((db) => db.selectFrom('access_tokens').select(REVOCABLE_COLUMNS).where('jti', '=', ''), {
  prepared: true,
})
const byTokenHashQuery = compiledQuery((db) => db.selectFrom('access_tokens').select(REVOCABLE_COLUMNS).where('token_hash', '=', ''), {
  prepared: true,
})

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

/** `readNow` (SQLite, outside transactions): introspection's read runs at once when the connection is free. */
export function createAccessTokenStore(db: Executor, readNow?: ReadNow): AccessTokenStore {
  const { findByJtiWithBinding, findByTokenHashWithBinding } = createAccessTokenBindingReads(db, readNow)
  // Named, not spread: an object literal that spreads another and then defines methods took V8
  // about 4 µs to build, and every token request's transaction builds this store (issue 17).
  return {
    findByJtiWithBinding,
    findByTokenHashWithBinding,
    async insert(record) {
      await db.executeQuery(insertQuery(db, ...insertParameters(record)))
    },
    async findByJti(jti) {
      const row = (await db.executeQuery(byJtiQuery(db, jti))).rows[0]
      return row ? toRevocable(row) : null
    },
    async findByTokenHash(tokenHash) {
      const row = (await db.executeQuery(byTokenHashQuery(db, tokenHash))).rows[0]
      return row ? toRevocable(row) : null
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

function toRevocable(row: Pick<Selectable<AccessTokensTable>, (typeof REVOCABLE_COLUMNS)[number]>): RevocableAccessToken {
  return {
    jti: row.jti,
    format: row.format,
    secretHash: row.secret_hash,
    clientId: row.client_id,
    userId: row.user_id,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  }
}

function toRecord(row: Selectable<AccessTokensTable>): AccessTokenRecord {
  return { ...accessTokenFromRow(row), familyId: row.family_id, tokenHash: row.token_hash }
}
