import type { FastifyInstance } from 'fastify'
import type { PrometheusMetrics } from './prometheus-metrics.js'

/** The route label of a request no route matched: one series, whatever the URL was. */
export const UNMATCHED_ROUTE = '(unmatched)'

/**
 * Observes every finished request by its route pattern (`/admin/v1/users/:id`), never the raw URL,
 * so an attacker's random paths all land in one series (bounded cardinality). Install it before
 * any route is registered: a Fastify hook applies to the routes added after it.
 */
export function installHttpMetrics(app: FastifyInstance, metrics: Pick<PrometheusMetrics, 'observeRequest'>): void {
  // Callback-style, not async: it runs on every request, and an async hook costs a promise each.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.is404 ? UNMATCHED_ROUTE : (request.routeOptions.url ?? UNMATCHED_ROUTE)
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000)
    done()
  })
}
