import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { presentEmailDelivery } from '../email/email-delivery.js'
import type { EmailService } from '../email/email-service.js'
import { EMAIL_TEMPLATES } from '../email/email-templates.js'
import { ADMIN_READ } from './admin-api.js'
import { closed, DEFAULT_PAGE, Limit, responses, Timestamp } from './admin-schemas.js'

const Status = Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')])
const DeliveryView = Type.Object({
  id: Type.String({ description: 'eml_…; also the Message-ID, the same on every attempt.' }),
  template: Type.Union(EMAIL_TEMPLATES.map((template) => Type.Literal(template))),
  eventSeq: Type.Integer({ description: 'The outbox event the message was sent for.' }),
  userId: Type.Union([Type.String(), Type.Null()]),
  recipient: Type.String(),
  subject: Type.String(),
  status: Status,
  attempts: Type.Integer(),
  lastAttemptAt: Type.Union([Timestamp, Type.Null()]),
  lastError: Type.Union([Type.String({ description: 'A stable reason, see docs/email.md.' }), Type.Null()]),
  nextAttemptAt: Type.Union([Timestamp, Type.Null()]),
  sentAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
})
const Query = closed({
  status: Type.Optional(Status),
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The `nextCursor` of the previous page.' })),
})
const Params = closed({ deliveryId: Type.String({ pattern: '^eml_[A-Za-z0-9_-]{22}$', description: 'An email delivery id (eml_…).' }) })
const tags = ['email']

/** The email delivery log: what was sent to whom, and what is still being retried. Never a link or code. */
export function adminEmailRoutes(deps: { email: EmailService }): FastifyPluginAsyncTypebox {
  const { email } = deps
  return async (app) => {
    app.get(
      '/email/deliveries',
      {
        config: { permission: ADMIN_READ } as const,
        schema: {
          tags,
          summary: 'List email deliveries, newest first',
          querystring: Query,
          response: responses({
            200: Type.Object({
              transport: Type.Union([Type.Literal('smtp'), Type.Literal('development_outbox'), Type.Null()], {
                description: 'Where messages go; null in production without SMTP (nothing is sent).',
              }),
              deliveries: Type.Array(DeliveryView),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
          }),
        },
      },
      async (request) => {
        const { status, limit, cursor } = request.query
        const page = await email.list({
          ...(status ? { status } : {}),
          ...(cursor ? { before: cursor } : {}),
          limit: limit === undefined ? DEFAULT_PAGE : Number(limit),
        })
        return { transport: email.transport, deliveries: page.deliveries.map(presentEmailDelivery), nextCursor: page.next }
      },
    )

    app.get(
      '/email/deliveries/:deliveryId',
      {
        config: { permission: ADMIN_READ } as const,
        schema: {
          tags,
          summary: 'Get one email delivery',
          params: Params,
          response: responses({ 200: Type.Object({ delivery: DeliveryView }) }, [404]),
        },
      },
      async (request) => ({ delivery: presentEmailDelivery(await email.get(request.params.deliveryId)) }),
    )
  }
}
