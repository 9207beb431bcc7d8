import type { WebhookEventType } from './webhook-event-types.js'

export interface WebhookEndpoint {
  /** `ep_` and 128 random bits. */
  id: string
  url: string
  eventTypes: WebhookEventType[]
  /** Registered with the development allowance: http and private addresses, never in production. */
  allowInsecureDevelopment: boolean
  /** The current secret, sealed (see webhook-secret-box.ts). */
  sealedSecret: string
  /** The secret before the last rotation; it keeps signing until previousSecretExpiresAt. */
  previousSealedSecret: string | null
  previousSecretExpiresAt: number | null
  /** Every outbox event up to this seq has been turned into deliveries for this endpoint. */
  outboxCursor: number
  createdAt: number
  updatedAt: number
}

/** The public view: never a secret, sealed or not. */
export function presentEndpoint(endpoint: WebhookEndpoint, now: number) {
  const rotating =
    endpoint.previousSealedSecret !== null && endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now
  return {
    id: endpoint.id,
    url: endpoint.url,
    events: endpoint.eventTypes,
    allowInsecureDevelopment: endpoint.allowInsecureDevelopment,
    previousSecretExpiresAt: rotating ? new Date(endpoint.previousSecretExpiresAt as number).toISOString() : null,
    createdAt: new Date(endpoint.createdAt).toISOString(),
  }
}

export type PresentedEndpoint = ReturnType<typeof presentEndpoint>
