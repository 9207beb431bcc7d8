import type { WebhookEventType } from './webhook-event-types.js'

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed'

/** Why an attempt failed, as recorded in the delivery log. Stable: operators script against them. */
export type DeliveryError =
  | 'url_refused'
  | 'address_forbidden'
  | 'dns_failed'
  | 'connect_failed'
  | 'timeout'
  | 'connection_closed'
  | 'tls_failed'
  | 'redirect_not_followed'
  | 'http_error'
  | 'endpoint_secret_unreadable'

/** The event an operator sends to try an endpoint (POST /admin/v1/webhooks/{id}/test); never subscribed to. */
export const WEBHOOK_TEST_EVENT = 'webhook.test'
export type DeliveryEventType = WebhookEventType | typeof WEBHOOK_TEST_EVENT

/** One event for one endpoint. Its id is the `webhook-id` header, the same on every attempt. */
export interface WebhookDelivery {
  /** `msg_` and 128 random bits. */
  id: string
  endpointId: string
  eventSeq: number
  eventType: DeliveryEventType
  /** The exact body sent on every attempt. */
  payload: string
  /** `pending` until an attempt gets a 2xx (`succeeded`) or the retries run out (`failed`). */
  status: DeliveryStatus
  /** Attempts since the delivery was created or last resent. */
  attempts: number
  lastAttemptAt: number | null
  lastResponseCode: number | null
  lastError: DeliveryError | null
  nextAttemptAt: number | null
  createdAt: number
  updatedAt: number
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export function presentDelivery(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    eventType: delivery.eventType,
    eventSeq: delivery.eventSeq,
    status: delivery.status,
    attempts: delivery.attempts,
    lastAttemptAt: iso(delivery.lastAttemptAt),
    lastResponseCode: delivery.lastResponseCode,
    lastError: delivery.lastError,
    nextAttemptAt: delivery.status === 'pending' ? iso(delivery.nextAttemptAt) : null,
    createdAt: iso(delivery.createdAt),
  }
}

export type PresentedDelivery = ReturnType<typeof presentDelivery>
