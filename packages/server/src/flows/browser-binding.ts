import type { FastifyReply, FastifyRequest } from 'fastify'
import { type CookieSettings, cookieOptions, readSessionCookie, sessionTokenFromCookie } from '../sessions/session-cookie.js'
import type { Authenticated, SessionService } from '../sessions/session-service.js'
import { type RandomSource, randomToken } from '../shared/random.js'

/** The cookie that binds pending authorization requests to the browser that started them. */
export function bindingCookieName(settings: CookieSettings): string {
  return settings.secure ? '__Host-tessera_authz' : 'tessera_authz'
}

/** The browser's binding secret, or null when it has none (or sends two: cookie tossing). */
export function readBinding(request: FastifyRequest, settings: CookieSettings): string | null {
  const read = readSessionCookie(request.headers.cookie, bindingCookieName(settings))
  return read.kind === 'one' && /^[A-Za-z0-9_-]{43}$/.test(read.value) ? read.value : null
}

/** Returns the browser's binding secret, setting a new one (HttpOnly, SameSite=Lax) when absent. */
export function ensureBinding(request: FastifyRequest, reply: FastifyReply, settings: CookieSettings, random: RandomSource): string {
  const existing = readBinding(request, settings)
  if (existing) return existing
  const secret = randomToken(random, 32)
  reply.setCookie(bindingCookieName(settings), secret, { ...cookieOptions(settings), sameSite: 'lax' })
  return secret
}

/**
 * The browser's live Tessera session from its cookie, or null (an expired, revoked or malformed
 * cookie counts as none). Two session cookies are refused (sessions/session-cookie.ts).
 */
export async function browserSession(
  request: FastifyRequest,
  settings: CookieSettings,
  sessions: SessionService,
): Promise<Authenticated | null> {
  const token = sessionTokenFromCookie(request.headers.cookie, settings.name)
  if (token === null) return null
  try {
    return await sessions.authenticate(token)
  } catch {
    return null
  }
}
