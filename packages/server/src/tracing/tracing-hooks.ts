import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { RequestSpan, Tracing } from './start-tracing.js'

/** The route of a request no route matched: one span name, whatever the URL was. */
const UNMATCHED_ROUTE = '(unmatched)'

const spans = new WeakMap<FastifyRequest, RequestSpan>()

/** One span per request, from its arrival to its response. Install it before any route is registered. */
export function installTracing(app: FastifyInstance, tracing: Tracing): void {
  app.addHook('onRequest', async (request) => {
    spans.set(request, tracing.startRequest(request.method, request.headers))
  })
  app.addHook('onResponse', async (request, reply) => {
    const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE)
    spans.get(request)?.end({ route, status: reply.statusCode, requestId: request.id })
    spans.delete(request)
  })
}
