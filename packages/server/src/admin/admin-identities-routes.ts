import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Identity } from '../connections/connection.js'
import type { Actor } from '../events/event-outbox.js'
import type { UserService } from '../users/user-service.js'
import { ADMIN_READ, ADMIN_WRITE } from './admin-api.js'
import { adminCaller } from './admin-auth-hook.js'
import { closed, NoContent, responses, Timestamp, UserId } from './admin-schemas.js'
import { UserParams } from './admin-users-schemas.js'

export interface AdminIdentitiesDeps {
  users: Pick<UserService, 'get'>
  identities: {
    /** The user's linked identities, with the name of each one's connection. */
    listForUser(userId: string): Promise<(Identity & { connectionName: string })[]>
    unlink(userId: string, identityId: string, actor: Actor, ip: string | null, options: { force?: boolean }): Promise<void>
  }
}

const IdentityView = Type.Object({
  id: Type.String(),
  connectionId: Type.String(),
  connectionName: Type.String(),
  subject: Type.String({ description: "The upstream provider's subject: the identifier of the user there (never the email)." }),
  email: Type.Union([Type.String(), Type.Null()], { description: 'The address the upstream gave when the identity was linked.' }),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
})
const IdentityList = Type.Object({ identities: Type.Array(IdentityView) })
const IdentityParams = closed({ userId: UserId, identityId: Type.String({ pattern: '^idn_[A-Za-z0-9_-]{1,64}$' }) })
const UnlinkQuery = closed({
  force: Type.Optional(
    Type.Union([Type.Literal('true'), Type.Literal('false')], {
      description:
        'Remove the identity even when it is the last way the user can sign in (no password, no other identity); without it that is refused with last_sign_in_method.',
    }),
  ),
})

const tags = ['users']
const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString())

/** A user's linked upstream identities (docs/connections.md, issue 15): list them, or unlink one. */
export function adminIdentitiesRoutes(deps: AdminIdentitiesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/users/:userId/identities',
      {
        config: { permission: ADMIN_READ } as const,
        schema: {
          tags,
          summary: "List a user's linked upstream identities",
          params: UserParams,
          response: responses({ 200: IdentityList }, [404]),
        },
      },
      async (request) => {
        const user = await deps.users.get(request.params.userId)
        const identities = await deps.identities.listForUser(user.id)
        return {
          identities: identities.map((identity) => ({
            id: identity.id,
            connectionId: identity.connectionId,
            connectionName: identity.connectionName,
            subject: identity.subject,
            email: identity.email,
            createdAt: new Date(identity.createdAt).toISOString(),
            lastUsedAt: iso(identity.lastUsedAt),
          })),
        }
      },
    )

    app.delete(
      '/users/:userId/identities/:identityId',
      {
        config: { permission: ADMIN_WRITE } as const,
        schema: {
          tags,
          summary: "Unlink one of a user's upstream identities (event identity.unlinked); the last way to sign in only with force=true",
          params: IdentityParams,
          querystring: UnlinkQuery,
          response: responses({ 204: NoContent }, [404, 409]),
        },
      },
      async (request, reply) => {
        const user = await deps.users.get(request.params.userId)
        const caller = adminCaller(request)
        await deps.identities.unlink(user.id, request.params.identityId, caller.actor, caller.ip, { force: request.query.force === 'true' })
        return reply.code(204).send()
      },
    )
  }
}
