import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Clock } from '../shared/clock.js'
import { presentEndpoint } from '../webhooks/webhook-endpoint.js'
import { WEBHOOK_EVENT_TYPES } from '../webhooks/webhook-event-types.js'
import type { WebhookService } from '../webhooks/webhook-service.js'
import { ADMIN_READ, ADMIN_WRITE } from './admin-api.js'
import { adminCaller } from './admin-auth-hook.js'
import { NextCursor, PageQuery, pageOf } from './admin-page.js'
import { closed, EndpointId, NoContent, responses, Timestamp } from './admin-schemas.js'

const Events = Type.Array(Type.Union(WEBHOOK_EVENT_TYPES.map((type) => Type.Literal(type))), {
  minItems: 1,
  maxItems: WEBHOOK_EVENT_TYPES.length * 2,
  description: 'Event types the endpoint receives.',
})
const EndpointView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  allowInsecureDevelopment: Type.Boolean(),
  previousSecretExpiresAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
})
const EndpointBody = Type.Object({ endpoint: EndpointView })
const Params = closed({ endpointId: EndpointId })
const NewEndpointBody = closed({
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'https URL to POST events to (docs/webhooks.md says what is refused).' }),
  events: Events,
  allowInsecureDevelopment: Type.Optional(
    Type.Boolean({ description: 'http and private addresses, for development; refused in production.' }),
  ),
})
const RotateBody = closed({
  overlapSeconds: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 30 * 24 * 3600, description: 'How long the old secret keeps signing; 0 drops it at once.' }),
  ),
})
const read = { permission: ADMIN_READ } as const
const write = { permission: ADMIN_WRITE } as const
const tags = ['webhooks']

/** Webhook endpoints over the same service as `tessera webhooks`. Secrets are shown once, at creation and rotation. */
export function adminWebhooksRoutes(deps: { webhooks: WebhookService; clock: Clock }): FastifyPluginAsyncTypebox {
  const { webhooks, clock } = deps
  return async (app) => {
    app.get(
      '/webhooks',
      {
        config: read,
        schema: {
          tags,
          summary: 'List webhook endpoints, ordered by id',
          querystring: PageQuery,
          response: responses({ 200: Type.Object({ endpoints: Type.Array(EndpointView), nextCursor: NextCursor }) }),
        },
      },
      async (request) => {
        const page = pageOf(await webhooks.list(), (endpoint) => endpoint.id, request.query, {
          kind: 'webhooks',
          key: /^ep_[A-Za-z0-9_-]{1,64}$/,
        })
        return { endpoints: page.items.map((endpoint) => presentEndpoint(endpoint, clock.now())), nextCursor: page.nextCursor }
      },
    )

    app.post(
      '/webhooks',
      {
        config: write,
        schema: {
          tags,
          summary: 'Register a webhook endpoint; its signing secret is returned once',
          body: NewEndpointBody,
          response: responses({ 201: Type.Object({ endpoint: EndpointView, secret: Type.String() }) }),
        },
      },
      async (request, reply) => {
        const { endpoint, secret } = await webhooks.create(request.body, adminCaller(request).actor)
        return reply.code(201).send({ endpoint: presentEndpoint(endpoint, clock.now()), secret })
      },
    )

    app.get(
      '/webhooks/:endpointId',
      {
        config: read,
        schema: { tags, summary: 'Get a webhook endpoint', params: Params, response: responses({ 200: EndpointBody }, [404]) },
      },
      async (request) => ({ endpoint: presentEndpoint(await webhooks.get(request.params.endpointId), clock.now()) }),
    )

    app.patch(
      '/webhooks/:endpointId',
      {
        config: write,
        schema: {
          tags,
          summary: 'Change the events an endpoint receives',
          params: Params,
          body: closed({ events: Events }),
          response: responses({ 200: EndpointBody }, [404]),
        },
      },
      async (request) => {
        const endpoint = await webhooks.update(request.params.endpointId, request.body, adminCaller(request).actor)
        return { endpoint: presentEndpoint(endpoint, clock.now()) }
      },
    )

    app.post(
      '/webhooks/:endpointId/rotate-secret',
      {
        config: write,
        schema: {
          tags,
          summary: 'Replace the signing secret; the old one keeps signing during the overlap',
          params: Params,
          body: RotateBody,
          response: responses(
            {
              200: Type.Object({
                endpointId: Type.String(),
                secret: Type.String(),
                previousSecretExpiresAt: Type.Union([Timestamp, Type.Null()]),
              }),
            },
            [404],
          ),
        },
      },
      async (request) => {
        const { endpointId } = request.params
        const overlap = request.body.overlapSeconds
        const { secret, previousSecretExpiresAt } = await webhooks.rotateSecret(
          endpointId,
          adminCaller(request).actor,
          overlap === undefined ? {} : { overlapMs: overlap * 1000 },
        )
        return {
          endpointId,
          secret,
          previousSecretExpiresAt: previousSecretExpiresAt === null ? null : new Date(previousSecretExpiresAt).toISOString(),
        }
      },
    )

    app.delete(
      '/webhooks/:endpointId',
      {
        config: write,
        schema: {
          tags,
          summary: 'Delete a webhook endpoint and its delivery log',
          params: Params,
          response: responses({ 204: NoContent }, [404]),
        },
      },
      async (request, reply) => {
        await webhooks.delete(request.params.endpointId, adminCaller(request).actor)
        return reply.code(204).send()
      },
    )
  }
}
