import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { presentSession } from '../sessions/session.js'
import type { SessionService } from '../sessions/session-service.js'
import type { UserService } from '../users/user-service.js'
import { ADMIN_READ, ADMIN_WRITE } from './admin-api.js'
import { adminCaller } from './admin-auth-hook.js'
import { NoContent, responses } from './admin-schemas.js'
import { SessionList, UserParams, UserSessionParams } from './admin-users-schemas.js'

export interface AdminSessionsDeps {
  users: UserService
  sessions: SessionService
}

const tags = ['sessions']

/** A user's live sessions (devices): list, revoke one. */
export function adminSessionsRoutes(deps: AdminSessionsDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/users/:userId/sessions',
      {
        config: { permission: ADMIN_READ } as const,
        schema: { tags, summary: "List a user's live sessions", params: UserParams, response: responses({ 200: SessionList }, [404]) },
      },
      async (request) => {
        const user = await deps.users.get(request.params.userId)
        const live = await deps.sessions.listLive(user.id)
        return { sessions: live.map((session) => presentSession(session, deps.sessions.policy)) }
      },
    )

    app.delete(
      '/users/:userId/sessions/:sessionId',
      {
        config: { permission: ADMIN_WRITE } as const,
        schema: {
          tags,
          summary: 'Revoke one session of the user; a session of anyone else is 404',
          params: UserSessionParams,
          response: responses({ 204: NoContent }, [404]),
        },
      },
      async (request, reply) => {
        const user = await deps.users.get(request.params.userId)
        // Object-level check: the session must belong to this user (OWASP API1:2023 BOLA).
        await deps.sessions.revoke(request.params.sessionId, { ownerId: user.id, reason: 'operator', actor: adminCaller(request).actor })
        return reply.code(204).send()
      },
    )
  }
}
