import type { IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { TesseraError } from '../shared/errors.js'

/**
 * How a route treats a cross-site state change (POST, PUT, PATCH, DELETE), declared once per
 * route as `config: { csrf }` and enforced by the one hook `installCsrfPolicy` adds:
 * - `reject`: refused with 403 `csrf_rejected` (the credential endpoints: login CSRF; the hosted
 *   pages' forms, where the route's error handler renders the refusal as a page);
 * - `cookie`: refused with 403 `csrf_rejected` only when the session cookie would authenticate
 *   the request; a request with an `Authorization` header passes (a cross-site form cannot
 *   attach one, and a cross-site script needs a CORS preflight to);
 * - `mark`: served, but marked `request.crossSite`, so nothing in it may count as the user's own
 *   confirmation (RP-initiated logout, which a relying party may legitimately post cross-site).
 * A route without `csrf` performs no check (safe methods, client-authenticated OAuth endpoints,
 * bearer-only APIs).
 */
export type CsrfPolicy = 'reject' | 'cookie' | 'mark'

declare module 'fastify' {
  interface FastifyContextConfig {
    csrf?: CsrfPolicy
  }
  interface FastifyRequest {
    /** True when a `mark` route received a cross-site state change. */
    crossSite: boolean
  }
}

export interface CsrfPolicyOptions {
  trustedOrigins: ReadonlySet<string>
  /** The session cookie's name, for the `cookie` policy. */
  sessionCookie: string
}

/**
 * Installs the CSRF policy hook. It runs as a preHandler, after the rate limiter and the body
 * schema, so a refused request counts against the limit and a malformed one still gets its 400.
 */
export function installCsrfPolicy(app: FastifyInstance, options: CsrfPolicyOptions): void {
  app.decorateRequest('crossSite', false)
  app.addHook('preHandler', async (request) => {
    const policy = request.routeOptions.config.csrf
    if (policy === undefined || !isStateChanging(request.method) || !isCrossSite(request.headers, options.trustedOrigins)) return
    if (policy === 'mark') {
      request.crossSite = true
      return
    }
    if (policy === 'cookie' && !sentWithCookie(request, options.sessionCookie)) return
    throw new TesseraError('csrf_rejected')
  })
}

/** One session cookie and no Authorization header (two cookies are refused by the session reader, with 400). */
function sentWithCookie(request: FastifyRequest, name: string): boolean {
  if (request.headers.authorization !== undefined) return false
  const header = request.headers.cookie ?? ''
  return header.split(';').filter((part) => part.includes('=') && part.slice(0, part.indexOf('=')).trim() === name).length === 1
}

/**
 * OWASP CSRF Prevention Cheat Sheet (Fetch Metadata, and verifying the origin with standard
 * headers): a state change is cross-site when `Sec-Fetch-Site` says anything but same-origin or a
 * user-initiated navigation (`none`), or when `Origin` is present and not one we trust. `same-site`
 * is refused too: a sibling subdomain is not necessarily ours.
 */
export function isCrossSite(headers: IncomingHttpHeaders, trustedOrigins: ReadonlySet<string>): boolean {
  const site = headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true
  const origin = headers.origin
  return origin !== undefined && !trustedOrigins.has(origin)
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method)
}
