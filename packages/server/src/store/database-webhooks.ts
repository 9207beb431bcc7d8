/** A registered webhook endpoint (migration 0003-webhooks). */
export interface WebhookEndpointsTable {
  id: string
  url: string
  /** JSON array of webhook event types the endpoint subscribes to. */
  event_types: string
  /** 1 when registered with the development allowance (http, private addresses); 0 otherwise. */
  allow_insecure_development: number
  /** The `whsec_` secret, AES-256-GCM under a subkey of the master key (it must stay usable for HMAC). */
  encrypted_secret: string
  /** The secret before the last rotation, still signing until previous_secret_expires_at. */
  previous_encrypted_secret: string | null
  previous_secret_expires_at: number | null
  /** The last event-outbox seq this endpoint has been given deliveries for. */
  outbox_cursor: number
  created_at: number
  updated_at: number
}

/** One event for one endpoint: its id is the `webhook-id`, the same on every attempt. */
export interface WebhookDeliveriesTable {
  id: string
  endpoint_id: string
  event_seq: number
  event_type: string
  /** The exact JSON body, so every attempt sends (and signs) the same bytes. */
  payload: string
  status: 'pending' | 'succeeded' | 'failed'
  attempts: number
  last_attempt_at: number | null
  last_response_code: number | null
  last_error: string | null
  /** When the next attempt is due (or, while an attempt runs, when its lease ends); null once finished. */
  next_attempt_at: number | null
  created_at: number
  updated_at: number
}
