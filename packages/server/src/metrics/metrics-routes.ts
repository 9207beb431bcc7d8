import type { FastifyInstance } from 'fastify'
import { ADMIN_READ } from '../admin/admin-api.js'
import { type AdminAuthDeps, createAdminAuthHook } from '../admin/admin-auth-hook.js'
import type { PrometheusMetrics } from './prometheus-metrics.js'

export const METRICS_PATH = '/metrics'

/**
 * `GET /metrics` on the main port: the Prometheus exposition, for a bearer of an admin token with
 * admin:read (the admin API's own check, RFC 6750). A scraper on a private network can use the
 * plain port instead (metrics-server.ts).
 */
export function metricsRoutes(deps: AdminAuthDeps & { metrics: Pick<PrometheusMetrics, 'render'> }) {
  return async (app: FastifyInstance) => {
    app.decorateRequest('admin', null)
    app.get(METRICS_PATH, { onRequest: createAdminAuthHook(deps), config: { permission: ADMIN_READ } }, async (_request, reply) => {
      const { contentType, body } = await deps.metrics.render()
      return reply.header('cache-control', 'no-store').type(contentType).send(body)
    })
  }
}
