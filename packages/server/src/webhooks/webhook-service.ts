import type { Actor } from '../events/event-outbox.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { WEBHOOK_TEST_EVENT, type WebhookDelivery } from './webhook-delivery.js'
import type { DeliveryPosition } from './webhook-delivery-store.js'
import type { WebhookStores } from './webhook-dispatcher.js'
import type { WebhookEndpoint } from './webhook-endpoint.js'
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-event-types.js'
import type { WebhookSecretBox } from './webhook-secret-box.js'
import { generateWebhookSecret } from './webhook-signature.js'
import { checkWebhookTarget, type ResolveHost } from './webhook-target.js'
import { parseWebhookUrl } from './webhook-url.js'

export interface WebhookServiceDeps {
  /** Reads outside a transaction. */
  stores: Pick<WebhookStores, 'webhookEndpoints' | 'webhookDeliveries'>
  transact: Transact<WebhookStores>
  clock: Clock
  random: RandomSource
  secrets: WebhookSecretBox
  resolve: ResolveHost
  /** Tessera runs with env = production: the development allowance is refused. */
  production: boolean
  /** How long the old secret keeps signing after a rotation. */
  rotationOverlapMs: number
}

export interface NewWebhookEndpoint {
  url: string
  events: string[]
  /** Allows http and private or loopback addresses; refused in production. */
  allowInsecureDevelopment?: boolean
}

export type WebhookService = ReturnType<typeof createWebhookService>

export const MAX_DELIVERY_PAGE = 500

/** Registers, lists, rotates and deletes webhook endpoints; reads their delivery log and resends. */
export function createWebhookService(deps: WebhookServiceDeps) {
  const { stores, transact, clock, random, secrets } = deps

  async function get(id: string): Promise<WebhookEndpoint> {
    const endpoint = await stores.webhookEndpoints.findById(id)
    if (!endpoint) throw new TesseraError('webhook_not_found')
    return endpoint
  }

  return {
    /**
     * Registers an endpoint after checking its URL and where its host resolves. The secret is
     * returned once; Tessera keeps it sealed, to sign with. The endpoint receives events that
     * happen from now on, not earlier ones.
     */
    async create(input: NewWebhookEndpoint, actor: Actor): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
      const allowInsecureDevelopment = input.allowInsecureDevelopment === true
      if (allowInsecureDevelopment && deps.production) {
        throw new TesseraError('webhook_url_invalid', { detail: 'the development allowance is refused in production' })
      }
      const url = parseWebhookUrl(input.url, { allowInsecureDevelopment, production: deps.production })
      const eventTypes = checkEventTypes(input.events)
      const check = await checkWebhookTarget(url, { resolve: deps.resolve, allowPrivate: allowInsecureDevelopment })
      if (!check.ok && check.reason === 'dns_failed')
        throw new TesseraError('webhook_url_invalid', { detail: 'the host name does not resolve' })
      if (!check.ok)
        throw new TesseraError('webhook_url_forbidden', { detail: `the host resolves to a ${check.range.replace('_', '-')} address` })

      const id = `ep_${randomToken(random, 16)}`
      const secret = generateWebhookSecret(random)
      const now = clock.now()
      const endpoint = await transact(async (tx) => {
        // The creation event's seq is where the endpoint starts reading the outbox.
        const seq = await tx.events.append({
          type: 'webhook.created',
          actor,
          userId: null,
          payload: { endpointId: id, host: url.host, events: eventTypes },
          ip: null,
          createdAt: now,
        })
        const created: WebhookEndpoint = {
          id,
          url: url.href,
          eventTypes,
          allowInsecureDevelopment,
          sealedSecret: secrets.seal(id, secret),
          previousSealedSecret: null,
          previousSecretExpiresAt: null,
          outboxCursor: seq,
          createdAt: now,
          updatedAt: now,
        }
        await tx.webhookEndpoints.insert(created)
        return created
      })
      return { endpoint, secret }
    },

    get,

    list(): Promise<WebhookEndpoint[]> {
      return stores.webhookEndpoints.list()
    },

    /**
     * Replaces the secret. The old one keeps signing beside the new one for the overlap (the
     * configured default, or `overlapMs`; 0 ends it at once, for a leaked secret).
     */
    async rotateSecret(
      id: string,
      actor: Actor,
      options: { overlapMs?: number } = {},
    ): Promise<{ secret: string; previousSecretExpiresAt: number | null }> {
      const overlapMs = options.overlapMs ?? deps.rotationOverlapMs
      const secret = generateWebhookSecret(random)
      return transact(async (tx) => {
        const endpoint = await tx.webhookEndpoints.findById(id)
        if (!endpoint) throw new TesseraError('webhook_not_found')
        const now = clock.now()
        const previous = overlapMs > 0 ? { sealed: endpoint.sealedSecret, expiresAt: now + overlapMs } : null
        await tx.webhookEndpoints.replaceSecret(id, secrets.seal(id, secret), previous, now)
        await tx.events.append({
          type: 'webhook.secret_rotated',
          actor,
          userId: null,
          payload: { endpointId: id, overlapMs },
          ip: null,
          createdAt: now,
        })
        return { secret, previousSecretExpiresAt: previous?.expiresAt ?? null }
      })
    },

    /** Changes the events an endpoint receives (from now on). */
    async update(id: string, changes: { events: string[] }, actor: Actor): Promise<WebhookEndpoint> {
      const eventTypes = checkEventTypes(changes.events)
      return transact(async (tx) => {
        const endpoint = await tx.webhookEndpoints.findById(id)
        if (!endpoint) throw new TesseraError('webhook_not_found')
        const now = clock.now()
        await tx.webhookEndpoints.setEventTypes(id, eventTypes, now)
        await tx.events.append({
          type: 'webhook.updated',
          actor,
          userId: null,
          payload: { endpointId: id, events: eventTypes },
          ip: null,
          createdAt: now,
        })
        return { ...endpoint, eventTypes, updatedAt: now }
      })
    },

    /** Deletes an endpoint and its delivery log; nothing more is sent to it. */
    async delete(id: string, actor: Actor): Promise<void> {
      await transact(async (tx) => {
        if (!(await tx.webhookEndpoints.delete(id))) throw new TesseraError('webhook_not_found')
        await tx.events.append({
          type: 'webhook.deleted',
          actor,
          userId: null,
          payload: { endpointId: id },
          ip: null,
          createdAt: clock.now(),
        })
      })
    },

    /** The endpoint's delivery log, newest first; `before` continues from the previous page's last delivery. */
    async deliveries(endpointId: string, limit = 50, before?: DeliveryPosition): Promise<WebhookDelivery[]> {
      await get(endpointId)
      return stores.webhookDeliveries.listByEndpoint(endpointId, Math.min(Math.max(1, limit), MAX_DELIVERY_PAGE), before)
    },

    /** One delivery of one endpoint (null when it is not that endpoint's). */
    async delivery(endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
      const delivery = await stores.webhookDeliveries.findById(deliveryId)
      if (!delivery || delivery.endpointId !== endpointId) throw new TesseraError('webhook_delivery_not_found')
      return delivery
    },

    /**
     * Sends a delivery again, now, with the same webhook-id and a fresh retry schedule. With an
     * actor (an operator through the admin API) the resend is audited, and `endpointId` must be
     * the delivery's, so a delivery id of another endpoint is not found.
     */
    async resend(deliveryId: string, options: { endpointId?: string; actor?: Actor } = {}): Promise<WebhookDelivery> {
      const { endpointId, actor } = options
      if (!actor && endpointId === undefined) {
        const delivery = await stores.webhookDeliveries.requeue(deliveryId, clock.now())
        if (!delivery) throw new TesseraError('webhook_delivery_not_found')
        return delivery
      }
      return transact(async (tx) => {
        const found = await tx.webhookDeliveries.findById(deliveryId)
        if (!found || (endpointId !== undefined && found.endpointId !== endpointId)) throw new TesseraError('webhook_delivery_not_found')
        const now = clock.now()
        const delivery = await tx.webhookDeliveries.requeue(deliveryId, now)
        if (!delivery) throw new TesseraError('webhook_delivery_not_found')
        if (actor) {
          await tx.events.append({
            type: 'webhook.delivery_resent',
            actor,
            userId: null,
            payload: { endpointId: delivery.endpointId, deliveryId, eventType: delivery.eventType },
            ip: null,
            createdAt: now,
          })
        }
        return delivery
      })
    },

    /**
     * Queues a `webhook.test` event for one endpoint, whatever it subscribes to, signed and retried
     * like any other; the dispatcher sends it on its next tick. The outbox event that records it
     * publishes nothing itself (webhook-events.ts), so no endpoint receives it twice.
     */
    async sendTest(endpointId: string, actor: Actor): Promise<WebhookDelivery> {
      const id = `msg_${randomToken(random, 16)}`
      return transact(async (tx) => {
        if (!(await tx.webhookEndpoints.findById(endpointId))) throw new TesseraError('webhook_not_found')
        const now = clock.now()
        const seq = await tx.events.append({
          type: 'webhook.test_sent',
          actor,
          userId: null,
          payload: { endpointId, deliveryId: id },
          ip: null,
          createdAt: now,
        })
        const payload = {
          type: WEBHOOK_TEST_EVENT,
          timestamp: new Date(now).toISOString(),
          data: { endpointId, message: 'A test event sent by an operator.' },
        }
        const delivery: WebhookDelivery = {
          id,
          endpointId,
          eventSeq: seq,
          eventType: WEBHOOK_TEST_EVENT,
          payload: JSON.stringify(payload),
          status: 'pending',
          attempts: 0,
          lastAttemptAt: null,
          lastResponseCode: null,
          lastError: null,
          nextAttemptAt: now,
          createdAt: now,
          updatedAt: now,
        }
        await tx.webhookDeliveries.insert(delivery)
        return delivery
      })
    },
  }
}

function checkEventTypes(events: string[]): WebhookEventType[] {
  if (events.length === 0)
    throw new TesseraError('invalid_request', { detail: `name at least one event: ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  for (const event of events) {
    if (!isWebhookEventType(event)) throw new TesseraError('invalid_request', { detail: `unknown event type: ${event.slice(0, 80)}` })
  }
  return [...new Set(events as WebhookEventType[])]
}
