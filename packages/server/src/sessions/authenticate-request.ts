import type { FastifyReply, FastifyRequest } from 'fastify'
import { TesseraError } from '../shared/errors.js'
import { type CookieSettings, cookieOptions, sessionTokenFromCookie } from './session-cookie.js'
import type { Authenticated, SessionService } from './session-service.js'

export interface RequestAuth extends Authenticated {
  /** How the session token arrived; only cookies need CSRF checks. */
  via: 'cookie' | 'bearer'
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: RequestAuth | null
  }
}

export interface AuthenticateDeps {
  sessions: SessionService
  cookie: CookieSettings
}

/**
 * A preHandler that resolves the caller's session from `Authorization: Bearer` or the session
 * cookie. Cross-site state changes made with the cookie are refused before it runs, by the routes'
 * `csrf: 'cookie'` policy (http/csrf.ts).
 */
export function createAuthenticate(deps: AuthenticateDeps) {
  // One async function for the whole check (issue 17: it runs on every authenticated request, and
  // each async layer costs a promise and a turn of the microtask queue).
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const authorization = request.headers.authorization
    let token: string
    let via: RequestAuth['via']
    if (authorization !== undefined) {
      // A bearer token cannot be attached by a cross-site form, so it needs no CSRF check.
      const match = BEARER.exec(authorization)
      if (!match) {
        reply.header('www-authenticate', 'Bearer realm="tessera", error="invalid_request"')
        throw new TesseraError('session_invalid', { detail: 'Authorization must be "Bearer <session token>".' })
      }
      token = match[1] as string
      via = 'bearer'
    } else {
      const fromCookie = sessionTokenFromCookie(request.headers.cookie, deps.cookie.name)
      if (fromCookie === null) throw new TesseraError('unauthenticated')
      token = fromCookie
      via = 'cookie'
    }
    let found: Authenticated
    try {
      found = await deps.sessions.authenticate(token)
    } catch (error) {
      if (via === 'cookie') reply.clearCookie(deps.cookie.name, cookieOptions(deps.cookie))
      else reply.header('www-authenticate', 'Bearer realm="tessera", error="invalid_token"')
      throw error
    }
    request.auth = { session: found.session, user: found.user, via }
  }
}

const BEARER = /^Bearer ([^\s]+)$/i
