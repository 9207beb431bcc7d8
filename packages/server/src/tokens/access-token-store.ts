import type { Selectable } from 'kysely'
import type { Session } from '../sessions/session.js'
import { toSession } from '../sessions/session-store.js'
import { compileOnce } from '../store/compiled-query.js'
import type { AccessTokensTable, Executor } from '../store/database.js'
import type { User } from '../users/user.js'
import { toUser } from '../users/user-store.js'
import type { AccessTokenRecord } from './access-token.js'
import { amrFromColumn, amrToColumn } from './amr-column.js'

/**
 * A recorded token with its session and the session's user as they are now, whatever their state;
 * `binding` is null for a token bound to no session, or when the session or its user is gone.
 */
export interface AccessTokenWithBinding {
  token: AccessTokenRecord
  binding: { session: Session; user: User } | null
}

export interface AccessTokenStore {
  insert(record: AccessTokenRecord): Promise<void>
  findByJti(jti: string): Promise<AccessTokenRecord | null>
  /** An encrypted token's record, by the SHA-256 of the token as sent. */
  findByTokenHash(tokenHash: string): Promise<AccessTokenRecord | null>
  /** `findByJti` with the token's session and user, in one read (introspection of an opaque token). */
  findByJtiWithBinding(jti: string): Promise<AccessTokenWithBinding | null>
  /** `findByTokenHash` with the token's session and user, in one read. */
  findByTokenHashWithBinding(tokenHash: string): Promise<AccessTokenWithBinding | null>
  revoke(jti: string, now: number): Promise<boolean>
  /** Live (unexpired, unrevoked) tokens of a refresh family. */
  listLiveOfFamily(familyId: string, now: number): Promise<AccessTokenRecord[]>
  /** Live recorded tokens of an API (every opaque one, and JWTs issued with a refresh family). */
  listLiveOfApi(api: string, now: number): Promise<AccessTokenRecord[]>
}

export function createAccessTokenStore(db: Executor): AccessTokenStore {
  // Read on every introspection of an opaque token (store/compiled-query.ts).
  const byJti = compileOnce(() => db.selectFrom('access_tokens').selectAll().where('jti', '=', ''))
  const byTokenHash = compileOnce(() => db.selectFrom('access_tokens').selectAll().where('token_hash', '=', ''))
  // Issue 17: introspection reads the token, its session and the session's user in one query (one
  // round trip on PostgreSQL instead of two), compiled once.
  const withBinding = () =>
    db
      .selectFrom('access_tokens')
      .leftJoin('sessions', 'sessions.id', 'access_tokens.session_id')
      .leftJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('access_tokens')
      .select([
        'sessions.id as s_id',
        'sessions.user_id as s_user_id',
        'sessions.secret_hash as s_secret_hash',
        'sessions.created_at as s_created_at',
        'sessions.last_active_at as s_last_active_at',
        'sessions.absolute_expires_at as s_absolute_expires_at',
        'sessions.auth_time as s_auth_time',
        'sessions.amr as s_amr',
        'sessions.user_agent as s_user_agent',
        'sessions.ip as s_ip',
        'sessions.revoked_at as s_revoked_at',
        'sessions.revoked_reason as s_revoked_reason',
        'users.id as u_id',
        'users.email as u_email',
        'users.status as u_status',
        'users.token_version as u_token_version',
        'users.email_verified as u_email_verified',
        'users.created_at as u_created_at',
        'users.updated_at as u_updated_at',
      ])
  const byJtiWithBinding = compileOnce(() => withBinding().where('access_tokens.jti', '=', ''))
  const byTokenHashWithBinding = compileOnce(() => withBinding().where('access_tokens.token_hash', '=', ''))
  type BindingRow = Awaited<ReturnType<ReturnType<typeof withBinding>['executeTakeFirstOrThrow']>>
  const toTokenWithBinding = (row: BindingRow): AccessTokenWithBinding => ({
    token: toRecord(row),
    binding:
      row.s_id === null || row.u_id === null
        ? null
        : {
            session: toSession({
              id: row.s_id,
              user_id: row.s_user_id as string,
              secret_hash: row.s_secret_hash as string,
              created_at: row.s_created_at as number,
              last_active_at: row.s_last_active_at as number,
              absolute_expires_at: row.s_absolute_expires_at as number,
              auth_time: row.s_auth_time as number,
              amr: row.s_amr as string,
              user_agent: row.s_user_agent,
              ip: row.s_ip,
              revoked_at: row.s_revoked_at,
              revoked_reason: row.s_revoked_reason,
            }),
            user: toUser({
              id: row.u_id,
              email: row.u_email as string,
              status: row.u_status as User['status'],
              token_version: row.u_token_version as number,
              email_verified: row.u_email_verified as number,
              created_at: row.u_created_at as number,
              updated_at: row.u_updated_at as number,
            }),
          },
  })
  return {
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
    async findByJtiWithBinding(jti) {
      const row = (await db.executeQuery(byJtiWithBinding(jti))).rows[0]
      return row ? toTokenWithBinding(row) : null
    },
    async findByTokenHashWithBinding(tokenHash) {
      const row = (await db.executeQuery(byTokenHashWithBinding(tokenHash))).rows[0]
      return row ? toTokenWithBinding(row) : null
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
  return {
    jti: row.jti,
    format: row.format,
    secretHash: row.secret_hash,
    familyId: row.family_id,
    sessionId: row.session_id,
    userId: row.user_id,
    clientId: row.client_id,
    api: row.api,
    scope: row.scope === '' ? [] : row.scope.split(' '),
    tokenVersion: row.token_version,
    authTime: row.auth_time,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    roles: row.roles === null ? null : row.roles.split(' ').filter(Boolean),
    dpopJkt: row.dpop_jkt,
    tokenHash: row.token_hash,
    signingKid: row.signing_kid,
    amr: amrFromColumn(row.amr),
  }
}
