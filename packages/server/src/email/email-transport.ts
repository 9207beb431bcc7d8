import type { EmailDeliveryError } from './email-delivery.js'

/** One message, rendered, ready for the wire. */
export interface OutgoingEmail {
  /** The delivery id: the Message-ID is built from it, so every attempt carries the same one. */
  id: string
  from: { name: string; address: string }
  to: string
  subject: string
  text: string
  html: string
  /** The message's link, for the development outbox's log line only; never logged otherwise. */
  link: string | null
}

export type SendOutcome = { ok: true } | { ok: false; error: EmailDeliveryError; permanent: boolean }

/** Where messages go: an SMTP server, or the development outbox. Never throws: failures are outcomes. */
export interface EmailTransport {
  kind: 'smtp' | 'development_outbox'
  send(message: OutgoingEmail): Promise<SendOutcome>
  close(): void
}
