import type { Selectable } from 'kysely'
import type { Executor, WebhookDeliveriesTable } from '../store/database.js'
import type { DeliveryError, DeliveryEventType, DeliveryStatus, WebhookDelivery } from './webhook-delivery.js'

/** What one attempt leaves in the log. */
export interface AttemptRecord {
  status: DeliveryStatus
  responseCode: number | null
  error: DeliveryError | null
  nextAttemptAt: number | null
  now: number
}

/** Where a delivery stands in its endpoint's log (newest first: creation time, then event seq). */
export interface DeliveryPosition {
  createdAt: number
  eventSeq: number
}

/** One claimed attempt: its number and when it was claimed. */
export interface Claim {
  attempt: number
  at: number
}

export interface WebhookDeliveryStore {
  insert(delivery: WebhookDelivery): Promise<void>
  findById(id: string): Promise<WebhookDelivery | null>
  /** Newest first; `before` continues a page from the last delivery of the previous one. */
  listByEndpoint(endpointId: string, limit: number, before?: DeliveryPosition): Promise<WebhookDelivery[]>
  /** Pending deliveries whose next attempt is due, oldest due first. */
  listDue(now: number, limit: number): Promise<WebhookDelivery[]>
  /**
   * Takes a due delivery for one attempt: counts the attempt and pushes its due time to
   * `leaseUntil`, so no other dispatcher takes it meanwhile, and a crash mid-attempt only delays
   * it. Resolves with the attempt number, or null when another dispatcher (or a resend) got there first.
   */
  claim(id: string, dueAt: number, leaseUntil: number, now: number): Promise<number | null>
  /** Records the outcome of the attempt claimed at `claim`; false when a resend has restarted the delivery since. */
  recordAttempt(id: string, claim: Claim, record: AttemptRecord): Promise<boolean>
  /** Makes a delivery pending and due now, with a fresh retry schedule (the same webhook-id). */
  requeue(id: string, now: number): Promise<WebhookDelivery | null>
  /** How many deliveries are pending, and when the oldest of them was created (the operator's backlog gauge). */
  backlog(): Promise<{ pending: number; oldestCreatedAt: number | null }>
}

export function createWebhookDeliveryStore(db: Executor): WebhookDeliveryStore {
  const store: WebhookDeliveryStore = {
    async insert(delivery) {
      await db
        .insertInto('webhook_deliveries')
        .values({
          id: delivery.id,
          endpoint_id: delivery.endpointId,
          event_seq: delivery.eventSeq,
          event_type: delivery.eventType,
          payload: delivery.payload,
          status: delivery.status,
          attempts: delivery.attempts,
          last_attempt_at: delivery.lastAttemptAt,
          last_response_code: delivery.lastResponseCode,
          last_error: delivery.lastError,
          next_attempt_at: delivery.nextAttemptAt,
          created_at: delivery.createdAt,
          updated_at: delivery.updatedAt,
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toDelivery(row) : null
    },
    async listByEndpoint(endpointId, limit, before) {
      let query = db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId)
      if (before) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', before.createdAt),
            eb.and([eb('created_at', '=', before.createdAt), eb('event_seq', '<', before.eventSeq)]),
          ]),
        )
      }
      const rows = await query.orderBy('created_at', 'desc').orderBy('event_seq', 'desc').limit(limit).execute()
      return rows.map(toDelivery)
    },
    async listDue(now, limit) {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('event_seq')
        .limit(limit)
        .execute()
      return rows.map(toDelivery)
    },
    async backlog() {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => [eb.fn.countAll<number | string>().as('pending'), eb.fn.min('created_at').as('oldest')])
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow()
      return { pending: Number(row.pending), oldestCreatedAt: row.oldest === null ? null : Number(row.oldest) }
    },
    async claim(id, dueAt, leaseUntil, now) {
      const row = await db
        .updateTable('webhook_deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil, last_attempt_at: now, updated_at: now }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', dueAt)
        .returning('attempts')
        .executeTakeFirst()
      return row ? row.attempts : null
    },
    async recordAttempt(id, claim, record) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({
          status: record.status,
          last_response_code: record.responseCode,
          last_error: record.error,
          next_attempt_at: record.nextAttemptAt,
          updated_at: record.now,
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('attempts', '=', claim.attempt)
        .where('last_attempt_at', '=', claim.at)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async requeue(id, now) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: now, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0 ? store.findById(id) : null
    },
  }
  return store
}

function toDelivery(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventSeq: row.event_seq,
    eventType: row.event_type as DeliveryEventType,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    lastAttemptAt: row.last_attempt_at,
    lastResponseCode: row.last_response_code,
    lastError: row.last_error as DeliveryError | null,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
