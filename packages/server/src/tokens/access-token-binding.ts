import { type CompiledQuery, sql } from 'kysely'
import type { Session } from '../sessions/session.js'
import { compiledQuery, compileOnce } from '../store/compiled-query.js'
import type { Executor } from '../store/database.js'
import type { ReadNow } from '../store/sqlite-read-now.js'
import type { User } from '../users/user.js'
import type { AccessTokenRecord } from './access-token.js'
import { accessTokenFromRow } from './access-token-row.js'

/**
 * What introspection reads of a recorded token: every field its checks and its answer use. The
 * refresh family and the encrypted token's hash are not among them (it was found by that hash).
 */
export type IntrospectedAccessToken = Omit<AccessTokenRecord, 'familyId' | 'tokenHash'>

/**
 * A token's session and the session's user as they are now, whatever their state: what
 * SessionService.live's rule and the token-version check read of them, nothing more.
 */
export interface TokenBinding {
  session: Pick<Session, 'id' | 'amr' | 'lastActiveAt' | 'absoluteExpiresAt' | 'revokedAt'>
  user: Pick<User, 'id' | 'status' | 'tokenVersion'>
}

/**
 * A recorded token with its binding; `binding` is null for a token bound to no session, or when
 * the session or its user is gone.
 */
export interface AccessTokenWithBinding {
  token: IntrospectedAccessToken
  binding: TokenBinding | null
}

export interface AccessTokenBindingReads {
  /**
   * An opaque token with its session and user, in one read (introspection); without a promise when
   * a read cache holds it (access-token-read-cache.ts).
   */
  findByJtiWithBinding(jti: string): AccessTokenWithBinding | null | Promise<AccessTokenWithBinding | null>
  /** An encrypted token, by the SHA-256 of the token as sent, with its session and user, in one read. */
  findByTokenHashWithBinding(tokenHash: string): Promise<AccessTokenWithBinding | null>
}

/**
 * The token, its session and the session's user, as introspection reads them. Its columns are
 * named, never `*`, so a migration that adds a column leaves a prepared statement's result type as
 * it was (store/prepared-statements.ts).
 */
function selectWithBinding(db: Executor) {
  return db
    .selectFrom('access_tokens')
    .leftJoin('sessions', 'sessions.id', 'access_tokens.session_id')
    .leftJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'access_tokens.jti',
      'access_tokens.format',
      'access_tokens.secret_hash',
      'access_tokens.session_id',
      'access_tokens.user_id',
      'access_tokens.client_id',
      'access_tokens.api',
      'access_tokens.scope',
      'access_tokens.token_version',
      'access_tokens.auth_time',
      'access_tokens.created_at',
      'access_tokens.expires_at',
      'access_tokens.revoked_at',
      'access_tokens.roles',
      'access_tokens.dpop_jkt',
      'access_tokens.signing_kid',
      'access_tokens.amr',
      'sessions.id as s_id',
      'sessions.amr as s_amr',
      'sessions.last_active_at as s_last_active_at',
      'sessions.absolute_expires_at as s_absolute_expires_at',
      'sessions.revoked_at as s_revoked_at',
      'users.id as u_id',
      'users.status as u_status',
      'users.token_version as u_token_version',
    ])
}

type Row = Awaited<ReturnType<ReturnType<typeof selectWithBinding>['executeTakeFirstOrThrow']>>

function toTokenWithBinding(row: Row): AccessTokenWithBinding {
  return {
    token: accessTokenFromRow(row),
    binding:
      row.s_id === null || row.u_id === null
        ? null
        : {
            session: {
              id: row.s_id,
              // As sessions/session-store.ts toSession reads it.
              amr: JSON.parse(row.s_amr as string) as string[],
              lastActiveAt: row.s_last_active_at as number,
              absoluteExpiresAt: row.s_absolute_expires_at as number,
              revokedAt: row.s_revoked_at,
            },
            user: { id: row.u_id, status: row.u_status as User['status'], tokenVersion: row.u_token_version as number },
          },
  }
}

/**
 * Issue 17: introspection reads the token, its session and the session's user in one query (one
 * round trip on PostgreSQL instead of two), compiled once (store/compiled-query.ts) and, on
 * PostgreSQL, a named prepared statement (store/prepared-statements.ts, docs/architecture.md §12):
 * parsing and planning the three-table join was most of PostgreSQL's CPU per introspection
 * (bench/tools/ab-token-endpoint.mjs introspect).
 */
export function createAccessTokenBindingReads(db: Executor, readNow?: ReadNow): AccessTokenBindingReads {
  const byJti = compileOnce(() => selectWithBinding(db).where('access_tokens.jti', '=', ''), { prepared: true })
  const byTokenHash = compileOnce(() => selectWithBinding(db).where('access_tokens.token_hash', '=', ''), { prepared: true })

  // `readNow` (SQLite, outside transactions): run at once when the connection is free, as the
  // session check's read does (store/sqlite-read-now.ts).
  const read = async (query: CompiledQuery<Row>): Promise<AccessTokenWithBinding | null> => {
    const row = (readNow?.(query) ?? (await db.executeQuery(query)).rows)[0]
    return row ? toTokenWithBinding(row) : null
  }

  return {
    findByJtiWithBinding: (jti) => read(byJti(jti)),
    findByTokenHashWithBinding: (tokenHash) => read(byTokenHash(tokenHash)),
  }
}

// PostgreSQL only: the tokens of several introspections, with their bindings, in one prepared
// query each way (createAccessTokenBatchReads). The encrypted tokens' query also returns the hash
// each row was found by, to answer each introspection with its own row.
const manyByJti = compiledQuery((db) => selectWithBinding(db).where('access_tokens.jti', '=', sql<string>`any(${''}::text[])`), {
  prepared: true,
})
const manyByTokenHash = compiledQuery(
  (db) => selectWithBinding(db).select('access_tokens.token_hash').where('access_tokens.token_hash', '=', sql<string>`any(${''}::text[])`),
  { prepared: true },
)

/** What createAccessTokenBatchReads returns: for each key found, its token and binding; unknown keys are left out. */
export interface AccessTokenBatchReads {
  /** Opaque tokens by id. */
  byJti(jtis: readonly string[]): Promise<AccessTokenWithBinding[]>
  /** Encrypted tokens by the SHA-256 of the token as sent, each with the hash it was found by. */
  byTokenHash(tokenHashes: readonly string[]): Promise<(readonly [tokenHash: string, found: AccessTokenWithBinding])[]>
}

/**
 * PostgreSQL: the recorded tokens with these ids (or hashes) and their bindings, in one query
 * (`= any($1)`, a prepared statement), in no particular order. For the coalesced reads of
 * introspection (access-token-read-batch.ts); one key reads as the single read does.
 */
export function createAccessTokenBatchReads(db: Executor, store: AccessTokenBindingReads): AccessTokenBatchReads {
  return {
    async byJti(jtis) {
      if (jtis.length === 1) {
        const found = await store.findByJtiWithBinding(jtis[0] as string)
        return found ? [found] : []
      }
      const { rows } = await db.executeQuery(manyByJti(db, jtis))
      return rows.map(toTokenWithBinding)
    },
    async byTokenHash(tokenHashes) {
      if (tokenHashes.length === 1) {
        const tokenHash = tokenHashes[0] as string
        const found = await store.findByTokenHashWithBinding(tokenHash)
        return found ? [[tokenHash, found] as const] : []
      }
      const { rows } = await db.executeQuery(manyByTokenHash(db, tokenHashes))
      return rows.map((row) => [row.token_hash as string, toTokenWithBinding(row)] as const)
    },
  }
}
