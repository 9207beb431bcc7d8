import type { FastifyReply } from 'fastify'
import { presentSession, type SessionPolicy } from '../sessions/session.js'
import { type CookieSettings, cookieOptions } from '../sessions/session-cookie.js'
import { presentUser } from '../users/user.js'
import type { SignedIn } from './login-flow.js'

/**
 * The JSON answer of a flow that signed someone in: `{ user, session }`, with the session token in
 * the cookie, or in `session.token` when the client asked for `transport: "bearer"`. Never cached.
 */
export function sessionResponse(
  reply: FastifyReply,
  result: SignedIn,
  transport: string | undefined,
  settings: { cookie: CookieSettings; policy: SessionPolicy },
) {
  const session = presentSession(result.session, settings.policy)
  reply.header('cache-control', 'no-store')
  if (transport === 'bearer') return { user: presentUser(result.user), session: { ...session, token: result.token } }
  const maxAge = Math.floor((result.session.absoluteExpiresAt - result.session.createdAt) / 1000)
  reply.setCookie(settings.cookie.name, result.token, cookieOptions(settings.cookie, maxAge))
  return { user: presentUser(result.user), session }
}
