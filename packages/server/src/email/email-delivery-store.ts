import type { Selectable } from 'kysely'
import type { EmailDeliveriesTable, Executor } from '../store/database.js'
import type { EmailDelivery, EmailDeliveryError, EmailDeliveryStatus } from './email-delivery.js'
import type { EmailTemplate } from './email-templates.js'

/** One claimed attempt: its number and when it was claimed. */
export interface EmailClaim {
  attempt: number
  at: number
}

export interface EmailAttemptRecord {
  status: EmailDeliveryStatus
  error: EmailDeliveryError | null
  nextAttemptAt: number | null
  now: number
}

export interface EmailDeliveryQuery {
  status?: EmailDeliveryStatus
  /** Keyset pagination, newest first: deliveries created before this (createdAt, id). */
  before?: { createdAt: number; id: string }
  limit: number
}

/** The email delivery log, and the cursor of fan-out over the event outbox. */
export interface EmailDeliveryStore {
  /** The last outbox seq fan-out has dealt with. */
  cursor(): Promise<number>
  /** Moves the cursor from `from` to `to`; false when another instance moved it first. */
  advanceCursor(from: number, to: number, now: number): Promise<boolean>
  insert(delivery: EmailDelivery): Promise<void>
  findById(id: string): Promise<EmailDelivery | null>
  list(query: EmailDeliveryQuery): Promise<EmailDelivery[]>
  /** Pending deliveries whose next attempt is due, oldest due first. */
  listDue(now: number, limit: number): Promise<EmailDelivery[]>
  /**
   * Takes a due delivery for one attempt: counts it and pushes its due time to `leaseUntil`, so
   * no other instance takes it meanwhile and a crash mid-attempt only delays it. Resolves with the
   * attempt number, or null when another instance got there first.
   */
  claim(id: string, dueAt: number, leaseUntil: number, now: number): Promise<number | null>
  /** Records the outcome of the claimed attempt; a delivery that ends loses its sealed variables. */
  recordAttempt(id: string, claim: EmailClaim, record: EmailAttemptRecord): Promise<boolean>
}

export function createEmailDeliveryStore(db: Executor): EmailDeliveryStore {
  return {
    async cursor() {
      const row = await db.selectFrom('email_cursor').select('seq').where('name', '=', 'email').executeTakeFirst()
      return row ? Number(row.seq) : 0
    },
    async advanceCursor(from, to, now) {
      const result = await db
        .updateTable('email_cursor')
        .set({ seq: to, updated_at: now })
        .where('name', '=', 'email')
        .where('seq', '=', from)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async insert(delivery) {
      await db
        .insertInto('email_deliveries')
        .values({
          id: delivery.id,
          event_seq: delivery.eventSeq,
          template: delivery.template,
          user_id: delivery.userId,
          recipient: delivery.recipient,
          subject: delivery.subject,
          sealed_variables: delivery.sealedVariables,
          status: delivery.status,
          attempts: delivery.attempts,
          last_attempt_at: delivery.lastAttemptAt,
          last_error: delivery.lastError,
          next_attempt_at: delivery.nextAttemptAt,
          sent_at: delivery.sentAt,
          created_at: delivery.createdAt,
          updated_at: delivery.updatedAt,
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('email_deliveries').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toDelivery(row) : null
    },
    async list({ status, before, limit }) {
      let query = db.selectFrom('email_deliveries').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit)
      if (status) query = query.where('status', '=', status)
      if (before) {
        query = query.where((eb) =>
          eb.or([eb('created_at', '<', before.createdAt), eb.and([eb('created_at', '=', before.createdAt), eb('id', '<', before.id)])]),
        )
      }
      return (await query.execute()).map(toDelivery)
    },
    async listDue(now, limit) {
      const rows = await db
        .selectFrom('email_deliveries')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .orderBy('event_seq')
        .limit(limit)
        .execute()
      return rows.map(toDelivery)
    },
    async claim(id, dueAt, leaseUntil, now) {
      const row = await db
        .updateTable('email_deliveries')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: leaseUntil, last_attempt_at: now, updated_at: now }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', dueAt)
        .returning('attempts')
        .executeTakeFirst()
      return row ? row.attempts : null
    },
    async recordAttempt(id, claim, record) {
      const ended = record.status !== 'pending'
      const result = await db
        .updateTable('email_deliveries')
        .set({
          status: record.status,
          last_error: record.error,
          next_attempt_at: record.nextAttemptAt,
          updated_at: record.now,
          ...(record.status === 'sent' ? { sent_at: record.now } : {}),
          // A link or code is needed only until the message is out (or never will be).
          ...(ended ? { sealed_variables: null } : {}),
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('attempts', '=', claim.attempt)
        .where('last_attempt_at', '=', claim.at)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
  }
}

function toDelivery(row: Selectable<EmailDeliveriesTable>): EmailDelivery {
  return {
    id: row.id,
    eventSeq: Number(row.event_seq),
    template: row.template as EmailTemplate,
    userId: row.user_id,
    recipient: row.recipient,
    subject: row.subject,
    sealedVariables: row.sealed_variables,
    status: row.status,
    attempts: row.attempts,
    lastAttemptAt: row.last_attempt_at === null ? null : Number(row.last_attempt_at),
    lastError: row.last_error as EmailDeliveryError | null,
    nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}
