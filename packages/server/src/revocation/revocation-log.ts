import type { Selectable } from 'kysely'
import type { Executor, RevocationLogTable } from '../store/database.js'

/** DESIGN.md §2 and the hybrid feed's entry kinds. */
export type RevocationEntry =
  | { kind: 'session'; sid: string }
  | { kind: 'user_token_version'; sub: string; minTokenVersion: number }
  | { kind: 'access_token'; jti: string }
  | { kind: 'key'; kid: string }
  | { kind: 'client'; clientId: string }

export interface StoredRevocation {
  seq: number
  entry: RevocationEntry
  createdAt: number
  expiresAt: number
}

/**
 * The append-only log of revocations (DESIGN.md §2). Entries are written in the same transaction
 * as the change that causes them and numbered by a monotonic sequence; the hybrid feed streams them.
 */
export interface RevocationLog {
  append(entry: RevocationEntry, createdAt: number, expiresAt: number): Promise<number>
  /** Entries with a sequence above `afterSeq`, in order. */
  listAfter(afterSeq: number, limit: number): Promise<StoredRevocation[]>
  /** Whether an unexpired entry of this kind names this subject. */
  isRevoked(kind: 'access_token' | 'key' | 'client' | 'session', subject: string, now: number): Promise<boolean>
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
  }
}

export function createRevocationLog(db: Executor): RevocationLog {
  return {
    async append(entry, createdAt, expiresAt) {
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
      return row.seq
    },
    async listAfter(afterSeq, limit) {
      const rows = await db.selectFrom('revocation_log').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute()
      return rows.map(toStored)
    },
    async isRevoked(kind, subject, now) {
      const row = await db
        .selectFrom('revocation_log')
        .select('seq')
        .where('subject', '=', subject)
        .where('kind', '=', kind)
        .where('expires_at', '>', now)
        .limit(1)
        .executeTakeFirst()
      return row !== undefined
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
    }
  })()
  return { seq: row.seq, entry, createdAt: row.created_at, expiresAt: row.expires_at }
}
