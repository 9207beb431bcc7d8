import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { presentDelivery, type WebhookDelivery } from '../webhooks/webhook-delivery.js'
import type { WebhookService } from '../webhooks/webhook-service.js'
import { ADMIN_READ, ADMIN_WRITE } from './admin-api.js'
import { adminCaller } from './admin-auth-hook.js'
import { decodeCursor, encodeCursor } from './admin-cursor.js'
import { Cursor, closed, DEFAULT_PAGE, EndpointId, Limit, responses, Timestamp } from './admin-schemas.js'

const DeliveryId = Type.String({
  pattern: '^msg_[A-Za-z0-9_-]{1,64}$',
  description: 'A webhook delivery id (msg_…), its webhook-id header.',
})
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const DeliveryView = Type.Object({
  id: Type.String(),
  endpointId: Type.String(),
  eventType: Type.String({ description: 'A subscribed event type, or webhook.test.' }),
  eventSeq: Type.Integer(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  attempts: Type.Integer({ description: 'Attempts since the delivery was created or last resent.' }),
  lastAttemptAt: Nullable(Timestamp),
  lastResponseCode: Nullable(Type.Integer({ description: "The receiver's HTTP status at the last attempt." })),
  lastError: Nullable(Type.String({ description: 'Why the last attempt failed (docs/webhooks.md), e.g. timeout or http_error.' })),
  nextAttemptAt: Nullable(Timestamp),
  createdAt: Timestamp,
})
const DeliveryBody = Type.Object({ delivery: DeliveryView })
const EndpointParams = closed({ endpointId: EndpointId })
const DeliveryParams = closed({ endpointId: EndpointId, deliveryId: DeliveryId })
const ListQuery = closed({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) })
const POSITION = /^\d{1,15}\.\d{1,15}$/
const tags = ['webhooks']

/** A webhook endpoint's delivery log, resending one delivery, and a test event (docs/webhooks.md). */
export function adminWebhookDeliveriesRoutes(deps: { webhooks: WebhookService }): FastifyPluginAsyncTypebox {
  const { webhooks } = deps
  return async (app) => {
    app.get(
      '/webhooks/:endpointId/deliveries',
      {
        config: { permission: ADMIN_READ } as const,
        schema: {
          tags,
          summary: "An endpoint's deliveries, newest first, with status, response code and attempts",
          params: EndpointParams,
          querystring: ListQuery,
          response: responses({ 200: Type.Object({ deliveries: Type.Array(DeliveryView), nextCursor: Nullable(Type.String()) }) }, [404]),
        },
      },
      async (request) => {
        const { limit, cursor } = request.query
        const size = limit === undefined ? DEFAULT_PAGE : Number(limit)
        const before = cursor === undefined ? undefined : positionOf(decodeCursor('deliveries', cursor, POSITION))
        const deliveries = await webhooks.deliveries(request.params.endpointId, size, before)
        const last = deliveries.at(-1)
        return {
          deliveries: deliveries.map(presentDelivery),
          nextCursor: deliveries.length === size && last ? encodeCursor('deliveries', `${last.createdAt}.${last.eventSeq}`) : null,
        }
      },
    )

    app.post(
      '/webhooks/:endpointId/deliveries/:deliveryId/resend',
      {
        config: { permission: ADMIN_WRITE } as const,
        schema: {
          tags,
          summary: 'Send a delivery again now, with the same webhook-id and a fresh retry schedule',
          params: DeliveryParams,
          response: responses({ 202: DeliveryBody }, [404]),
        },
      },
      async (request, reply) => {
        const { endpointId, deliveryId } = request.params
        const delivery = await webhooks.resend(deliveryId, { endpointId, actor: adminCaller(request).actor })
        return reply.code(202).send(present(delivery))
      },
    )

    app.post(
      '/webhooks/:endpointId/test',
      {
        config: { permission: ADMIN_WRITE } as const,
        schema: {
          tags,
          summary: 'Queue a signed webhook.test event for this endpoint, whatever it subscribes to',
          params: EndpointParams,
          response: responses({ 202: DeliveryBody }, [404]),
        },
      },
      async (request, reply) => {
        const delivery = await webhooks.sendTest(request.params.endpointId, adminCaller(request).actor)
        return reply.code(202).send(present(delivery))
      },
    )
  }
}

const present = (delivery: WebhookDelivery) => ({ delivery: presentDelivery(delivery) })

function positionOf(key: string) {
  const [createdAt, eventSeq] = key.split('.').map(Number) as [number, number]
  return { createdAt, eventSeq }
}
