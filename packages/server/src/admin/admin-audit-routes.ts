import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { type AuditService, presentAuditEntry } from '../audit/audit-service.js'
import { ADMIN_READ } from './admin-api.js'
import { Cursor, closed, DEFAULT_PAGE, Limit, responses, Timestamp } from './admin-schemas.js'

const ActorKind = Type.Union(
  [Type.Literal('user'), Type.Literal('application'), Type.Literal('cli'), Type.Literal('system'), Type.Literal('anonymous')],
  { description: 'Only entries by this kind of actor.' },
)
const AuditQuery = closed({
  actorKind: Type.Optional(ActorKind),
  actorId: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Only entries by this actor (user id or client id).' })),
  action: Type.Optional(
    Type.String({ pattern: '^[a-z_]{1,64}\\.[a-z_]{1,64}$', description: 'Only this event type, e.g. sign_in.failed.' }),
  ),
  userId: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'Only entries concerning this user.' })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Entries at or after this time (RFC 3339).' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'Entries before this time (RFC 3339).' })),
  limit: Type.Optional(Limit),
  cursor: Type.Optional(Cursor),
})
const Entry = Type.Object({
  id: Type.String(),
  occurredAt: Timestamp,
  actor: Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
  action: Type.String(),
  target: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
  userId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Object({}, { additionalProperties: true }),
})
const AuditPage = Type.Object({ entries: Type.Array(Entry), nextCursor: Type.Union([Type.String(), Type.Null()]) })

/** The audit log, newest first, with filters and cursor pagination. It never holds secrets. */
export function adminAuditRoutes(deps: { audit: AuditService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/audit',
      {
        config: { permission: ADMIN_READ } as const,
        schema: {
          tags: ['audit'],
          summary: 'List audit-log entries, newest first',
          querystring: AuditQuery,
          response: responses({ 200: AuditPage }),
        },
      },
      async (request) => {
        const { since, until, limit, ...filters } = request.query
        const page = await deps.audit.list({
          ...filters,
          ...(since !== undefined ? { since: Date.parse(since) } : {}),
          ...(until !== undefined ? { until: Date.parse(until) } : {}),
          limit: limit === undefined ? DEFAULT_PAGE : Number(limit),
        })
        return { entries: page.entries.map(presentAuditEntry), nextCursor: page.nextCursor }
      },
    )
  }
}
