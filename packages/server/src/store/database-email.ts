/** Email delivery and account tokens (migration 0009-email). */

/** Where email fan-out has read the event outbox to (one row, `email`). */
export interface EmailCursorTable {
  name: string
  seq: number
  updated_at: number
}

/** One message of one event: its log for operators, and its sealed variables until it is sent. */
export interface EmailDeliveriesTable {
  id: string
  event_seq: number
  template: string
  user_id: string | null
  recipient: string
  subject: string
  /** AES-256-GCM of the template variables (links, codes); null once the delivery has ended. */
  sealed_variables: string | null
  status: 'pending' | 'sent' | 'failed'
  attempts: number
  last_attempt_at: number | null
  last_error: string | null
  /** When the next attempt is due (or, while an attempt runs, when its lease ends); null once ended. */
  next_attempt_at: number | null
  sent_at: number | null
  created_at: number
  updated_at: number
}

/** A link token or a numeric code that proves control of an address, for one purpose. */
export interface AccountTokensTable {
  id: string
  user_id: string
  purpose: 'verify_email' | 'reset_password' | 'change_email'
  kind: 'link' | 'code'
  /** SHA-256 of a link token's secret, HMAC-SHA-256 of a code. */
  secret_hash: string
  email: string
  credential_stamp: number | null
  failed_attempts: number
  expires_at: number
  used_at: number | null
  created_at: number
}

/** A fixed-window request counter, keyed by a hash of an address or an IP. */
export interface AccountRequestCountersTable {
  key: string
  count: number
  window_start: number
}
