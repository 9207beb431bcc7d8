import type { Executor } from '../store/database.js'

export interface EmailBacklog {
  /** Deliveries waiting for their first attempt or a retry. */
  pending: number
  /** When the oldest pending delivery was created; null when none is pending. */
  oldestCreatedAt: number | null
  /** Deliveries given up on (kept for housekeeping.deliveryRetention). */
  failed: number
}

/** The operator's view of the email queue (docs/operations.md), one query at scrape time. */
export async function emailBacklog(db: Executor): Promise<EmailBacklog> {
  const row = await db
    .selectFrom('email_deliveries')
    .select((eb) => [
      eb.fn.sum<number | string | null>(eb.case().when('status', '=', 'pending').then(1).else(0).end()).as('pending'),
      eb.fn.sum<number | string | null>(eb.case().when('status', '=', 'failed').then(1).else(0).end()).as('failed'),
      eb.fn.min(eb.case().when('status', '=', 'pending').then(eb.ref('created_at')).end()).as('oldest'),
    ])
    .where('status', 'in', ['pending', 'failed'])
    .executeTakeFirstOrThrow()
  return {
    pending: Number(row.pending ?? 0),
    failed: Number(row.failed ?? 0),
    oldestCreatedAt: row.oldest === null || row.oldest === undefined ? null : Number(row.oldest),
  }
}
