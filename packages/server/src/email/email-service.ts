import { TesseraError } from '../shared/errors.js'
import type { EmailDelivery, EmailDeliveryStatus } from './email-delivery.js'
import type { EmailDeliveryStore } from './email-delivery-store.js'

/** Largest page of the delivery log. */
export const MAX_EMAIL_DELIVERY_PAGE = 200

export interface EmailDeliveryPage {
  deliveries: EmailDelivery[]
  /** Pass as `before` for the next (older) page; null on the last page. */
  next: string | null
}

export type EmailService = ReturnType<typeof createEmailService>

/** The delivery log for operators (admin API and CLI), and whether email can be sent at all. */
export function createEmailService(deps: {
  stores: { emailDeliveries: EmailDeliveryStore }
  transport: 'smtp' | 'development_outbox' | null
}) {
  const { stores } = deps
  return {
    /** False in production without SMTP: then every flow that must send a message refuses to start. */
    available: deps.transport !== null,
    /** Where messages go: an SMTP server, the development outbox, or nowhere (production without SMTP). */
    transport: deps.transport,

    /** Throws `email_unavailable` when no message can be sent (production without SMTP). */
    requireAvailable(): void {
      if (deps.transport === null) throw new TesseraError('email_unavailable')
    },

    /** Newest first; `before` is the `next` of the previous page. */
    async list(query: { status?: EmailDeliveryStatus; before?: string; limit: number }): Promise<EmailDeliveryPage> {
      if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_EMAIL_DELIVERY_PAGE) {
        throw new TesseraError('invalid_request', { detail: `limit must be 1 to ${MAX_EMAIL_DELIVERY_PAGE}` })
      }
      const before = query.before === undefined ? undefined : parseCursor(query.before)
      const rows = await stores.emailDeliveries.list({
        ...(query.status ? { status: query.status } : {}),
        ...(before ? { before } : {}),
        limit: query.limit + 1,
      })
      const deliveries = rows.slice(0, query.limit)
      const last = deliveries.at(-1)
      return { deliveries, next: rows.length > query.limit && last ? `${last.createdAt}.${last.id}` : null }
    },

    async get(id: string): Promise<EmailDelivery> {
      const delivery = await stores.emailDeliveries.findById(id)
      if (!delivery) throw new TesseraError('email_delivery_not_found')
      return delivery
    },
  }
}

function parseCursor(value: string): { createdAt: number; id: string } {
  const match = /^(\d{1,16})\.(eml_[A-Za-z0-9_-]{22})$/.exec(value)
  if (!match) throw new TesseraError('invalid_cursor')
  return { createdAt: Number(match[1]), id: match[2] as string }
}
