import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../events/event-outbox.js'
import { TesseraError } from '../shared/errors.js'
import type { RequestAuth } from './authenticate-request.js'
import { presentSession, type SessionPolicy } from './session.js'
import { createSessionBody } from './session-body.js'
import { type CookieSettings, cookieOptions } from './session-cookie.js'
import type { SessionService } from './session-service.js'

export interface SessionRoutesDeps {
  sessions: SessionService
  authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  cookie: CookieSettings
  policy: SessionPolicy
}

const RevokeBody = Type.Object({ scope: Type.Union([Type.Literal('others'), Type.Literal('all')]) }, { additionalProperties: false })
const SessionParams = Type.Object({ id: Type.String() }, { additionalProperties: false })

/** The signed-in user's own session and devices. */
export function sessionRoutes(deps: SessionRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', deps.authenticate)
    // A state change made with the session cookie must come from our own origin (http/csrf.ts).
    const config = { csrf: 'cookie' } as const
    app.addHook('onSend', (_request, reply, payload, done) => {
      reply.header('cache-control', 'no-store')
      done(null, payload)
    })

    // Not async: the check is the one await (in `authenticate`), and an async handler costs a promise more.
    const sessionBody = createSessionBody(deps.policy)
    app.get('/v1/session', (request, reply) => {
      const { user, session } = auth(request)
      // The JSON Fastify would make of the object, with the content type it would give it.
      reply.type(JSON_UTF8).send(sessionBody(user, session))
    })

    app.get('/v1/sessions', async (request) => {
      const { user, session } = auth(request)
      const live = await deps.sessions.listLive(user.id)
      return { sessions: live.map((each) => presentSession(each, deps.policy, session.id)) }
    })

    app.delete('/v1/sessions/:id', { config, schema: { params: SessionParams } }, async (request, reply) => {
      const { user, session } = auth(request)
      await deps.sessions.revoke(request.params.id, { ownerId: user.id, reason: 'revoked_by_user', actor: actorOf(request) })
      if (request.params.id === session.id) clearCookie(request, reply)
      return reply.code(204).send()
    })

    app.post('/v1/sessions/revoke', { config, schema: { body: RevokeBody } }, async (request, reply) => {
      const { user, session } = auth(request)
      const all = request.body.scope === 'all'
      await deps.sessions.revokeAll(user.id, {
        reason: all ? 'revoked_all' : 'revoked_others',
        actor: actorOf(request),
        ...(all ? {} : { keepId: session.id }),
      })
      if (all) clearCookie(request, reply)
      return reply.code(204).send()
    })

    app.post('/v1/sign-out', { config }, async (request, reply) => {
      const { user, session } = auth(request)
      await deps.sessions.revoke(session.id, { ownerId: user.id, reason: 'sign_out', actor: actorOf(request) })
      clearCookie(request, reply)
      return reply.code(204).send()
    })
  }

  function clearCookie(request: FastifyRequest, reply: FastifyReply) {
    if (auth(request).via === 'cookie') reply.clearCookie(deps.cookie.name, cookieOptions(deps.cookie))
  }
}

const JSON_UTF8 = 'application/json; charset=utf-8'

function auth(request: FastifyRequest): RequestAuth {
  if (!request.auth) throw new TesseraError('unauthenticated')
  return request.auth
}

function actorOf(request: FastifyRequest): Actor {
  return { kind: 'user', id: auth(request).user.id }
}
