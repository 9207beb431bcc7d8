import type { EmailDeliveryError } from './email-delivery.js'

/** The failures that say the mail server (or the outbox directory) cannot be used, not that one message was refused. */
const OUTAGE_ERRORS: ReadonlySet<EmailDeliveryError> = new Set([
  'connect_failed',
  'timeout',
  'tls_required',
  'tls_failed',
  'auth_failed',
  'outbox_write_failed',
])

export type TransportHealthChange =
  | { state: 'down'; error: EmailDeliveryError }
  | { state: 'up'; failedAttempts: number; downForMs: number }

/**
 * Tells the operator once when sending stops working and once when it works again, instead of a
 * line per attempt and per tick (issue 12 part 7): an SMTP outage of an hour is two log lines,
 * while the delivery log keeps every attempt. Per process: each instance says it for itself.
 */
export function createTransportHealth(report: (change: TransportHealthChange) => void) {
  let down: { since: number; failedAttempts: number } | null = null
  return {
    observe(outcome: { ok: true } | { ok: false; error: EmailDeliveryError }, now: number): void {
      if (!outcome.ok) {
        if (!OUTAGE_ERRORS.has(outcome.error)) return
        if (down) {
          down.failedAttempts += 1
          return
        }
        down = { since: now, failedAttempts: 1 }
        report({ state: 'down', error: outcome.error })
        return
      }
      if (!down) return
      report({ state: 'up', failedAttempts: down.failedAttempts, downForMs: now - down.since })
      down = null
    },
  }
}
