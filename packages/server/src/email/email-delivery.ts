import type { EmailTemplate } from './email-templates.js'

export type EmailDeliveryStatus = 'pending' | 'sent' | 'failed'

/** Why an attempt failed, as recorded in the delivery log. Stable: operators script against them. */
export type EmailDeliveryError =
  | 'connect_failed'
  | 'timeout'
  | 'tls_required'
  | 'tls_failed'
  | 'auth_failed'
  | 'deferred'
  | 'rejected'
  | 'send_failed'
  | 'outbox_write_failed'
  | 'variables_unreadable'
  | 'template_failed'
  | 'expired'

/** One message of one outbox event to one address. */
export interface EmailDelivery {
  /** `eml_` and 128 random bits; also the message's Message-ID, the same on every attempt. */
  id: string
  eventSeq: number
  template: EmailTemplate
  userId: string | null
  recipient: string
  subject: string
  /** The sealed template variables (links, codes); null once the delivery has ended. */
  sealedVariables: string | null
  /** `pending` until an attempt is accepted (`sent`) or it fails for good (`failed`). */
  status: EmailDeliveryStatus
  attempts: number
  lastAttemptAt: number | null
  lastError: EmailDeliveryError | null
  nextAttemptAt: number | null
  sentAt: number | null
  createdAt: number
  updatedAt: number
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** The operator's view: no variables, so no link or code. */
export function presentEmailDelivery(delivery: EmailDelivery) {
  return {
    id: delivery.id,
    template: delivery.template,
    eventSeq: delivery.eventSeq,
    userId: delivery.userId,
    recipient: delivery.recipient,
    subject: delivery.subject,
    status: delivery.status,
    attempts: delivery.attempts,
    lastAttemptAt: iso(delivery.lastAttemptAt),
    lastError: delivery.lastError,
    nextAttemptAt: delivery.status === 'pending' ? iso(delivery.nextAttemptAt) : null,
    sentAt: iso(delivery.sentAt),
    createdAt: iso(delivery.createdAt) as string,
  }
}

export type PresentedEmailDelivery = ReturnType<typeof presentEmailDelivery>
