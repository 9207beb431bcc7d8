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
 * A route without `csrf` performs no check: safe methods, and the state-changing routes named in
 * the exemptions (client-authenticated OAuth endpoints, bearer-only APIs). Any other state-changing
 * route without it stops the app at start-up.
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

/**
 * A state-changing route that legitimately declares no CSRF policy, and why: it reads no cookie
 * (client credentials, a bearer token), so a cross-site request cannot act as the user.
 */
export interface CsrfExemption {
  /** `POST`, …, or `*` for every method. */
  method: string
  /** The route's URL, or a prefix ending in `/*` that exempts every route under it. */
  url: string
  reason: string
}

export interface CsrfPolicyOptions {
  trustedOrigins: ReadonlySet<string>
  /** The session cookie's name, for the `cookie` policy. */
  sessionCookie: string
  /** The only state-changing routes allowed without `config: { csrf }` (app/csrf-exemptions.ts). */
  exemptions: readonly CsrfExemption[]
}

/** A route registered without the CSRF declaration it needs: the app refuses to start. */
export class UndeclaredCsrfPolicyError extends Error {}

/**
 * Installs the CSRF policy hook. It runs as a preHandler, after the rate limiter and the body
 * schema, so a refused request counts against the limit and a malformed one still gets its 400.
 */
export function installCsrfPolicy(app: FastifyInstance, options: CsrfPolicyOptions): void {
  app.decorateRequest('crossSite', false)
  // Fail closed at start-up, not at the first forged request (OWASP CSRF Prevention Cheat Sheet):
  // a state-changing route must say how it treats a cross-site request, or be exempted by name.
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (!isStateChanging(method) || route.config?.csrf !== undefined) continue
      if (options.exemptions.some((exemption) => exempts(exemption, method, route.url))) continue
      throw new UndeclaredCsrfPolicyError(
        `${method} ${route.url} changes state but declares no CSRF policy: set config.csrf, or add it to the exemptions with the reason it needs none`,
      )
    }
  })
  // Callback-style, not async: it runs on every request, and an async hook costs a promise each.
  // One hook for all routes, not one per route with a policy: it must run before the hooks a
  // plugin adds for all its routes (the session check of /v1), as it always has. The method and
  // the headers are read first: most requests are safe or same-site and end there, without
  // reading the route's policy (`request.routeOptions` is an object Fastify builds at each read).
  app.addHook('preHandler', (request, _reply, done) => {
    if (!isStateChanging(request.method) || !isCrossSite(request.headers, options.trustedOrigins)) return done()
    const policy = request.routeOptions.config.csrf
    if (policy === undefined) return done()
    if (policy === 'mark') {
      request.crossSite = true
      return done()
    }
    if (policy === 'cookie' && !sentWithCookie(request, options.sessionCookie)) return done()
    done(new TesseraError('csrf_rejected'))
  })
}

function exempts(exemption: CsrfExemption, method: string, url: string): boolean {
  if (exemption.method !== '*' && exemption.method !== method) return false
  return exemption.url.endsWith('/*') ? url.startsWith(exemption.url.slice(0, -1)) : url === exemption.url
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
