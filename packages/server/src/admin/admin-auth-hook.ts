import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../events/event-outbox.js'
import { TesseraError } from '../shared/errors.js'
import type { ActiveAccessToken } from '../tokens/introspection-service.js'
import { ADMIN_API_IDENTIFIER, ADMIN_READ, ADMIN_WRITE, type AdminPermission } from './admin-api.js'

/** Who is calling the admin API: the client of the admin token, the user it acts for (if any), and from where. */
export interface AdminCaller {
  clientId: string
  scope: string[]
  actor: Actor
  ip: string
}

declare module 'fastify' {
  interface FastifyRequest {
    admin: AdminCaller | null
  }
  interface FastifyContextConfig {
    /** The permission an admin route needs; a route that names none needs admin:write. */
    permission?: AdminPermission
  }
}

export interface AdminAuthDeps {
  /** The introspection check: verifies the token and its revocation state (jti, key, client, session, version). */
  activeAccessToken: (token: string) => Promise<ActiveAccessToken | null>
}

const REALM = 'realm="tessera-admin"'
/** RFC 6750 §2.1: `Bearer` then a b64token; only the header form is accepted (§2.2 and §2.3 are not). */
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i

/**
 * The onRequest hook of the whole /admin/v1 prefix: no route under it runs without an active
 * access token for urn:tessera:admin that holds the route's permission (deny by default).
 */
export function createAdminAuthHook(deps: AdminAuthDeps) {
  return async function adminAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const header = request.headers.authorization
    if (header === undefined || header === '') {
      // RFC 6750 §3.1: a request without credentials gets the challenge and no error code.
      reply.header('www-authenticate', `Bearer ${REALM}`)
      throw new TesseraError('unauthenticated', { detail: 'Send an admin access token: Authorization: Bearer <token>.' })
    }
    const match = BEARER.exec(header)
    const token = match ? await deps.activeAccessToken(match[1] as string) : null
    // RFC 6750 §3.1 invalid_token: malformed, expired, revoked, or for another audience.
    if (!token || token.aud !== ADMIN_API_IDENTIFIER) {
      reply.header('www-authenticate', `Bearer ${REALM}, error="invalid_token"`)
      throw new TesseraError('invalid_token')
    }
    // An unknown path needs only admin:read to learn it is unknown; a route naming no permission needs admin:write.
    const needed: AdminPermission = request.is404 ? ADMIN_READ : (request.routeOptions.config.permission ?? ADMIN_WRITE)
    if (!token.scope.includes(needed)) {
      // RFC 6750 §3.1 insufficient_scope, naming the scope that would do.
      reply.header('www-authenticate', `Bearer ${REALM}, error="insufficient_scope", scope="${needed}"`)
      throw new TesseraError('insufficient_scope', { detail: `This request needs ${needed}.` })
    }
    request.admin = {
      clientId: token.clientId,
      scope: token.scope,
      // A token bound to a user's session (the console's) acts as that user, so the audit log
      // names the person, not the client they used; a client credentials token acts as its client.
      // The actor carries the caller's address, so the audit log records where each action came from.
      actor:
        token.sid !== null ? { kind: 'user', id: token.sub, ip: request.ip } : { kind: 'application', id: token.clientId, ip: request.ip },
      ip: request.ip,
    }
  }
}

/** The caller of an admin route; the hook guarantees one. */
export function adminCaller(request: FastifyRequest): AdminCaller {
  if (!request.admin) throw new TesseraError('unauthenticated')
  return request.admin
}
