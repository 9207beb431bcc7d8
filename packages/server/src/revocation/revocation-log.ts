import { type Selectable, sql } from 'kysely'
import { compileOnce } from '../store/compiled-query.js'
import type { Executor, RevocationLogTable } from '../store/database.js'

/** docs/architecture.md §2 and the hybrid feed's entry kinds. */
export type RevocationEntry =
  | { kind: 'session'; sid: string }
  | { kind: 'user_token_version'; sub: string; minTokenVersion: number }
  | { kind: 'access_token'; jti: string }
  | { kind: 'key'; kid: string }
  | { kind: 'client'; clientId: string }
  /** Issue 16: an API was deleted; every token for it (`aud`) issued up to `createdAt` is dead. */
  | { kind: 'api'; aud: string }

export interface StoredRevocation {
  seq: number
  entry: RevocationEntry
  createdAt: number
  expiresAt: number
}

/**
 * The append-only log of revocations (docs/architecture.md §2). Entries are written in the same transaction
 * as the change that causes them and numbered by a monotonic sequence; the hybrid feed streams them.
 */
export interface RevocationLog {
  append(entry: RevocationEntry, createdAt: number, expiresAt: number): Promise<number>
  /** Entries with a sequence above `afterSeq`, in order. */
  listAfter(afterSeq: number, limit: number): Promise<StoredRevocation[]>
  /** The highest sequence committed so far, 0 when there is none. */
  currentSeq(): Promise<number>
  /** The lowest sequence still held, or null when the log is empty. */
  oldestSeq(): Promise<number | null>
  /** Entries that can still affect an unexpired token, in order. */
  listLive(now: number): Promise<StoredRevocation[]>
  /** Drops expired entries, always keeping the newest so the sequence stays known; returns how many. */
  prune(now: number): Promise<number>
  /** Whether an unexpired entry of this kind names this subject. */
  isRevoked(kind: 'access_token' | 'key' | 'client' | 'session', subject: string, now: number): Promise<boolean>
  /**
   * `isRevoked('access_token', jti) || isRevoked('key', kid)` in one read: what every
   * introspection of a JWT asks (one round trip on PostgreSQL instead of two).
   */
  isAccessTokenOrKeyRevoked(jti: string, kid: string, now: number): Promise<boolean>
  /** The time of the latest unexpired `client` cut-off of this client, or null: its tokens issued up to then are dead. */
  clientCutoff(clientId: string, now: number): Promise<number | null>
  /** The time of the latest unexpired `api` cut-off of this audience, or null: its tokens issued up to then are dead. */
  apiCutoff(aud: string, now: number): Promise<number | null>
}

function subjectOf(entry: RevocationEntry): string {
  switch (entry.kind) {
    case 'session':
      return entry.sid
    case 'user_token_version':
      return entry.sub
    case 'access_token':
      return entry.jti
    case 'key':
      return entry.kid
    case 'client':
      return entry.clientId
    case 'api':
      return entry.aud
  }
}

/**
 * On PostgreSQL a sequence value is taken at insert, not at commit, so two transactions can
 * commit out of sequence order and a reader resuming after the later one would miss the earlier.
 * An advisory lock held to commit makes appends commit in sequence order; NOTIFY, delivered at
 * commit, wakes every instance's feed. Revocations are rare enough for the lock to cost nothing.
 */
const APPEND_LOCK = 7_247_001

export interface RevocationLogOptions {
  /**
   * Called after each append, inside the caller's transaction: the composition root registers an
   * after-commit hook there (store/transaction.ts), so feeds and other instances learn of the entry
   * once it has committed, never after a rollback.
   */
  onAppend?: (kind: RevocationEntry['kind']) => void
}

export function createRevocationLog(
  db: Executor,
  dialect: 'sqlite' | 'postgres' = 'sqlite',
  options: RevocationLogOptions = {},
): RevocationLog {
  async function latestCutoff(kind: 'client' | 'api', subject: string, now: number): Promise<number | null> {
    const row = await db
      .selectFrom('revocation_log')
      .select((eb) => eb.fn.max('created_at').as('at'))
      .where('subject', '=', subject)
      .where('kind', '=', kind)
      .where('expires_at', '>', now)
      .executeTakeFirst()
    return row?.at === null || row?.at === undefined ? null : Number(row.at)
  }

  // Introspection of a JWT reads these on every call: compiled once, and named prepared statements
  // on PostgreSQL (store/compiled-query.ts, store/prepared-statements.ts). The values are
  // placeholders; each call binds its own.
  const revoked = compileOnce(
    () =>
      db
        .selectFrom('revocation_log')
        .select('seq')
        .where('subject', '=', '')
        .where('kind', '=', 'session')
        .where('expires_at', '>', 0)
        .limit(1),
    { prepared: true },
  )
  const tokenOrKeyRevoked = compileOnce(
    () =>
      db
        .selectFrom('revocation_log')
        .select('seq')
        .where((eb) =>
          eb.or([
            eb.and([eb('subject', '=', ''), eb('kind', '=', 'access_token')]),
            eb.and([eb('subject', '=', ''), eb('kind', '=', 'key')]),
          ]),
        )
        .where('expires_at', '>', 0)
        .limit(1),
    { prepared: true },
  )

  return {
    async append(entry, createdAt, expiresAt) {
      if (dialect === 'postgres') {
        await sql`select pg_advisory_xact_lock(${APPEND_LOCK}), pg_notify('tessera_revocations', '')`.execute(db)
      }
      const row = await db
        .insertInto('revocation_log')
        .values({
          kind: entry.kind,
          subject: subjectOf(entry),
          min_token_version: entry.kind === 'user_token_version' ? entry.minTokenVersion : null,
          created_at: createdAt,
          expires_at: expiresAt,
        })
        .returning('seq')
        .executeTakeFirstOrThrow()
      options.onAppend?.(entry.kind)
      return row.seq
    },
    async listAfter(afterSeq, limit) {
      const rows = await db.selectFrom('revocation_log').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute()
      return rows.map(toStored)
    },
    async currentSeq() {
      const row = await db
        .selectFrom('revocation_log')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .executeTakeFirst()
      return row?.seq === null || row?.seq === undefined ? 0 : Number(row.seq)
    },
    async oldestSeq() {
      const row = await db
        .selectFrom('revocation_log')
        .select((eb) => eb.fn.min('seq').as('seq'))
        .executeTakeFirst()
      return row?.seq === null || row?.seq === undefined ? null : Number(row.seq)
    },
    async listLive(now) {
      const rows = await db.selectFrom('revocation_log').selectAll().where('expires_at', '>', now).orderBy('seq').execute()
      return rows.map(toStored)
    },
    async prune(now) {
      const newest = await this.currentSeq()
      const result = await db.deleteFrom('revocation_log').where('expires_at', '<=', now).where('seq', '<', newest).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
    async isRevoked(kind, subject, now) {
      return (await db.executeQuery(revoked(subject, kind, now, 1))).rows.length > 0
    },
    async isAccessTokenOrKeyRevoked(jti, kid, now) {
      return (await db.executeQuery(tokenOrKeyRevoked(jti, 'access_token', kid, 'key', now, 1))).rows.length > 0
    },
    clientCutoff(clientId, now) {
      return latestCutoff('client', clientId, now)
    },
    apiCutoff(aud, now) {
      return latestCutoff('api', aud, now)
    },
  }
}

function toStored(row: Selectable<RevocationLogTable>): StoredRevocation {
  const entry = ((): RevocationEntry => {
    switch (row.kind) {
      case 'session':
        return { kind: 'session', sid: row.subject }
      case 'user_token_version':
        return { kind: 'user_token_version', sub: row.subject, minTokenVersion: row.min_token_version ?? 0 }
      case 'access_token':
        return { kind: 'access_token', jti: row.subject }
      case 'key':
        return { kind: 'key', kid: row.subject }
      case 'client':
        return { kind: 'client', clientId: row.subject }
      case 'api':
        return { kind: 'api', aud: row.subject }
    }
  })()
  return { seq: row.seq, entry, createdAt: row.created_at, expiresAt: row.expires_at }
}
