import type { Selectable } from 'kysely'
import type { EventType, StoredEvent } from '../events/event-outbox.js'
import type { AuditLogTable, Executor } from '../store/database.js'
import type { AuditActorKind, AuditEntry } from './audit-entry.js'

export interface AuditQuery {
  actorKind?: AuditActorKind
  actorId?: string
  action?: string
  userId?: string
  /** Inclusive lower bound on `occurredAt` (ms). */
  since?: number
  /** Exclusive upper bound on `occurredAt` (ms). */
  until?: number
  /** Entries with a seq below this one (newest first, keyset pagination). */
  beforeSeq?: number
  limit: number
}

/** The audit log and the projector's position in the outbox. */
export interface AuditStore {
  /** Inserts entries; one already there (another instance projected it) is left alone. */
  insert(entries: AuditEntry[]): Promise<void>
  /** Newest first. */
  list(query: AuditQuery): Promise<AuditEntry[]>
  /** Below this seq every outbox event is projected (or was given up on as rolled back). */
  watermark(): Promise<number>
  /** Moves the watermark up (never down: several instances may project at once). */
  raiseWatermark(to: number): Promise<void>
  /** Outbox events above `after` not yet in the audit log, oldest first. */
  pending(after: number, limit: number): Promise<StoredEvent[]>
  /** Seqs of outbox events above `after`, to find holes (uncommitted or rolled-back events). */
  outboxSeqsAfter(after: number, limit: number): Promise<number[]>
}

const PROJECTION = 'audit'

export function createAuditStore(db: Executor): AuditStore {
  return {
    async insert(entries) {
      if (entries.length === 0) return
      await db
        .insertInto('audit_log')
        .values(
          entries.map((entry) => ({
            seq: entry.seq,
            occurred_at: entry.occurredAt,
            actor_kind: entry.actor.kind,
            actor_id: entry.actor.id,
            action: entry.action,
            target_type: entry.target?.type ?? null,
            target_id: entry.target?.id ?? null,
            user_id: entry.userId,
            ip: entry.ip,
            detail: JSON.stringify(entry.detail),
          })),
        )
        .onConflict((oc) => oc.column('seq').doNothing())
        .execute()
    },
    async list(query) {
      let select = db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(query.limit)
      if (query.actorKind !== undefined) select = select.where('actor_kind', '=', query.actorKind)
      if (query.actorId !== undefined) select = select.where('actor_id', '=', query.actorId)
      if (query.action !== undefined) select = select.where('action', '=', query.action)
      if (query.userId !== undefined) select = select.where('user_id', '=', query.userId)
      if (query.since !== undefined) select = select.where('occurred_at', '>=', query.since)
      if (query.until !== undefined) select = select.where('occurred_at', '<', query.until)
      if (query.beforeSeq !== undefined) select = select.where('seq', '<', query.beforeSeq)
      return (await select.execute()).map(toEntry)
    },
    async watermark() {
      const row = await db.selectFrom('audit_projection').select('watermark').where('id', '=', PROJECTION).executeTakeFirst()
      return row ? Number(row.watermark) : 0
    },
    async raiseWatermark(to) {
      await db
        .insertInto('audit_projection')
        .values({ id: PROJECTION, watermark: to })
        .onConflict((oc) => oc.column('id').doUpdateSet({ watermark: to }).where('audit_projection.watermark', '<', to))
        .execute()
    },
    async pending(after, limit) {
      const rows = await db
        .selectFrom('event_outbox')
        .leftJoin('audit_log', 'audit_log.seq', 'event_outbox.seq')
        .selectAll('event_outbox')
        .where('event_outbox.seq', '>', after)
        .where('audit_log.seq', 'is', null)
        .orderBy('event_outbox.seq')
        .limit(limit)
        .execute()
      return rows.map((row) => ({
        seq: Number(row.seq),
        type: row.type as EventType,
        actor: JSON.parse(row.actor),
        userId: row.user_id,
        payload: JSON.parse(row.payload),
        ip: row.ip,
        createdAt: Number(row.created_at),
      }))
    },
    async outboxSeqsAfter(after, limit) {
      const rows = await db.selectFrom('event_outbox').select('seq').where('seq', '>', after).orderBy('seq').limit(limit).execute()
      return rows.map((row) => Number(row.seq))
    },
  }
}

function toEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    seq: Number(row.seq),
    occurredAt: Number(row.occurred_at),
    actor: { kind: row.actor_kind, id: row.actor_id },
    action: row.action,
    target: row.target_type !== null && row.target_id !== null ? { type: row.target_type, id: row.target_id } : null,
    userId: row.user_id,
    ip: row.ip,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  }
}
