import type { StoredEvent } from '../events/event-outbox.js'
import type { EmailTemplate, EmailVariables } from './email-templates.js'

/** One message an outbox event calls for. */
export interface ComposedEmail {
  template: EmailTemplate
  to: string
  userId: string | null
  /** Template variables; a link or code among them is sealed at rest and dropped once sent. */
  variables: EmailVariables
  /** The link's expiry: a message not sent by then is not sent at all. */
  expiresAt?: number
}

/**
 * Decides which messages one outbox event calls for, inside the fan-out transaction (`tx`), so a
 * token it mints commits together with the delivery that carries it, or not at all. Returns []
 * for events it does not handle. The event itself never holds a token or link.
 */
export type EmailComposer<S> = (event: StoredEvent, tx: S) => Promise<ComposedEmail[]>
