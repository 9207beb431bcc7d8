import cookie from '@fastify/cookie'
import rateLimit, { type FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { installCors } from '../cors/cors-hooks.js'
import { installCsrfPolicy } from '../http/csrf.js'
import { acceptEmptyBodies } from '../http/empty-body.js'
import { installErrorHandling } from '../http/error-handler.js'
import { REQUEST_ID_HEADER } from '../http/request-id.js'
import { installHttpMetrics } from '../metrics/http-metrics.js'
import { sharedRateLimitStore } from '../rate-limit/shared-rate-limit-store.js'
import { TesseraError } from '../shared/errors.js'
import { installTracing } from '../tracing/tracing-hooks.js'
import type { AppDeps } from './app-deps.js'
import { CSRF_EXEMPTIONS } from './csrf-exemptions.js'
import type { TesseraFastify } from './fastify-instance.js'

/**
 * What every request passes through, whatever its route: body types, the error handler, metrics,
 * tracing, the CSRF policy, CORS, cookies, the rate limiter's store and the response headers.
 */
export async function installGlobalHooks(app: TesseraFastify, deps: AppDeps): Promise<void> {
  // JSON only: Fastify also parses text/plain by default, which a cross-site form can send
  // without a preflight; such a body gets 415 like any other type.
  app.removeContentTypeParser('text/plain')
  acceptEmptyBodies(app)
  installErrorHandling(app, { expectedFailure: deps.expectedFailure, observe: deps.metrics.httpError })
  installHttpMetrics(app, deps.metrics)
  if (deps.tracing) installTracing(app, deps.tracing)
  installCsrfPolicy(app, { trustedOrigins: deps.trustedOrigins, sessionCookie: deps.cookie.name, exemptions: CSRF_EXEMPTIONS })
  installCors(app, deps.cors)
  await app.register(cookie)
  await app.register(rateLimit, {
    global: false,
    // Counted where every instance counts, so N instances allow the limit once (issue 18 part 2).
    store: sharedRateLimitStore(deps.rateLimitCounter, deps.clock) as unknown as FastifyRateLimitStoreCtor,
    errorResponseBuilder: (_request, context) =>
      new TesseraError('rate_limited', { retryAfter: Math.max(1, Math.ceil(context.ttl / 1000)) }),
  })
  app.decorateRequest('auth', null)
  app.addHook('onSend', addResponseHeaders)
}

/**
 * The headers of every response: its request id, no MIME sniffing, no referrer. Callback-style,
 * not async: it runs on every response, and an async hook costs a promise each.
 */
export function addResponseHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: null, payload: unknown) => void,
): void {
  reply.header(REQUEST_ID_HEADER, request.id)
  reply.header('x-content-type-options', 'nosniff')
  reply.header('referrer-policy', 'no-referrer')
  done(null, payload)
}
