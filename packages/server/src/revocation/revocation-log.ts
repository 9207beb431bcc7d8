import type { Selectable } from 'kysely'
import type { Executor, RevocationLogTable } from '../store/database.js'

export type RevocationEntry = { kind: 'session'; sid: string } | { kind: 'user_token_version'; sub: string; minTokenVersion: number }

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
}

export function createRevocationLog(db: Executor): RevocationLog {
  return {
    async append(entry, createdAt, expiresAt) {
      const row = await db
        .insertInto('revocation_log')
        .values({
          kind: entry.kind,
          subject: entry.kind === 'session' ? entry.sid : entry.sub,
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
  }
}

function toStored(row: Selectable<RevocationLogTable>): StoredRevocation {
  const entry: RevocationEntry =
    row.kind === 'session'
      ? { kind: 'session', sid: row.subject }
      : { kind: 'user_token_version', sub: row.subject, minTokenVersion: row.min_token_version ?? 0 }
  return { seq: row.seq, entry, createdAt: row.created_at, expiresAt: row.expires_at }
}
