import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { requestDevice } from '../http/request-device.js'
import type { PerIpLimit } from '../rate-limit/rate-limit-counter.js'
import type { Session, SessionPolicy } from '../sessions/session.js'
import { presentSession } from '../sessions/session.js'
import { type CookieSettings, cookieOptions } from '../sessions/session-cookie.js'
import { presentUser, type User } from '../users/user.js'
import { CredentialsBody } from './auth-schemas.js'
import type { AuthService } from './auth-service.js'

export interface AuthRoutesDeps {
  auth: AuthService
  cookie: CookieSettings
  policy: SessionPolicy
  rateLimit: PerIpLimit
}

/** `POST /v1/sign-up` and `POST /v1/sign-in`. */
export function authRoutes(deps: AuthRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    // One per-IP limiter shared by both routes, so they share one budget (a route-level
    // `config.rateLimit` gives each route a store, and so a budget, of its own).
    const onRequest = app.rateLimit(deps.rateLimit)
    // Login CSRF (OWASP CSRF Prevention Cheat Sheet): a cross-site page must not sign the
    // browser into the attacker's account (http/csrf.ts).
    const config = { csrf: 'reject' } as const

    app.post('/v1/sign-up', { schema: { body: CredentialsBody }, config, onRequest }, async (request, reply) => {
      const result = await deps.auth.signUp(request.body, requestDevice(request))
      return respond(reply.code(201), result, request.body.transport)
    })

    app.post('/v1/sign-in', { schema: { body: CredentialsBody }, config, onRequest }, async (request, reply) => {
      const result = await deps.auth.signIn(request.body, requestDevice(request))
      return respond(reply, result, request.body.transport)
    })
  }

  function respond(reply: FastifyReply, result: { user: User; session: Session; token: string }, transport: string | undefined) {
    const session = presentSession(result.session, deps.policy)
    reply.header('cache-control', 'no-store')
    if (transport === 'bearer') return { user: presentUser(result.user), session: { ...session, token: result.token } }
    const maxAge = Math.floor((result.session.absoluteExpiresAt - result.session.createdAt) / 1000)
    reply.setCookie(deps.cookie.name, result.token, cookieOptions(deps.cookie, maxAge))
    return { user: presentUser(result.user), session }
  }
}
