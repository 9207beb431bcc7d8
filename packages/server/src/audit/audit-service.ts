import { TesseraError } from '../shared/errors.js'
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor.js'
import type { AuditActorKind, AuditEntry } from './audit-entry.js'
import type { AuditProjector } from './audit-projector.js'
import type { AuditStore } from './audit-store.js'

export interface AuditServiceDeps {
  stores: { audit: AuditStore }
  projector: AuditProjector
}

export interface AuditListQuery {
  actorKind?: AuditActorKind
  actorId?: string
  /** An event type, e.g. `sign_in.failed`. */
  action?: string
  /** The user the entries concern. */
  userId?: string
  /** Entries at or after this time (ms since the epoch). */
  since?: number
  /** Entries before this time (ms since the epoch). */
  until?: number
  /** `nextCursor` of the previous page. */
  cursor?: string
  /** 1 to 200. */
  limit: number
}

export interface AuditPage {
  /** Newest first. */
  entries: AuditEntry[]
  /** Pass it as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null
}

export const AUDIT_MAX_LIMIT = 200
const ACTOR_KINDS: readonly AuditActorKind[] = ['user', 'application', 'cli', 'system', 'anonymous']

export type AuditService = ReturnType<typeof createAuditService>

/** Reads the audit log. Every read first catches the projection up, so it is never behind the outbox. */
export function createAuditService(deps: AuditServiceDeps) {
  return {
    async list(query: AuditListQuery): Promise<AuditPage> {
      const { limit } = query
      if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_MAX_LIMIT) {
        throw new TesseraError('invalid_request', { detail: `limit must be an integer from 1 to ${AUDIT_MAX_LIMIT}` })
      }
      if (query.actorKind !== undefined && !ACTOR_KINDS.includes(query.actorKind)) {
        throw new TesseraError('invalid_request', { detail: `actorKind must be one of ${ACTOR_KINDS.join(', ')}` })
      }
      for (const [name, value] of [
        ['actorId', query.actorId],
        ['action', query.action],
        ['userId', query.userId],
      ] as const) {
        if (value !== undefined && (typeof value !== 'string' || value.length === 0 || value.length > 512)) {
          throw new TesseraError('invalid_request', { detail: `${name} must be 1 to 512 characters` })
        }
      }
      for (const [name, value] of [
        ['since', query.since],
        ['until', query.until],
      ] as const) {
        if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
          throw new TesseraError('invalid_request', { detail: `${name} must be a time in milliseconds since the epoch` })
        }
      }
      const beforeSeq = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor)
      await deps.projector.catchUp()
      const entries = await deps.stores.audit.list({
        ...(query.actorKind !== undefined ? { actorKind: query.actorKind } : {}),
        ...(query.actorId !== undefined ? { actorId: query.actorId } : {}),
        ...(query.action !== undefined ? { action: query.action } : {}),
        ...(query.userId !== undefined ? { userId: query.userId } : {}),
        ...(query.since !== undefined ? { since: query.since } : {}),
        ...(query.until !== undefined ? { until: query.until } : {}),
        ...(beforeSeq !== undefined ? { beforeSeq } : {}),
        limit,
      })
      const last = entries.at(-1)
      return { entries, nextCursor: entries.length === limit && last ? encodeAuditCursor(last.seq) : null }
    },

    /** Projects new outbox events now (the background task calls it; so may tests). */
    catchUp: () => deps.projector.catchUp(),
  }
}

/** The public view of an entry: times as ISO 8601. */
export function presentAuditEntry(entry: AuditEntry) {
  return {
    id: String(entry.seq),
    occurredAt: new Date(entry.occurredAt).toISOString(),
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    userId: entry.userId,
    ip: entry.ip,
    detail: entry.detail,
  }
}
