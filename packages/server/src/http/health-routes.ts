import type { FastifyInstance } from 'fastify'
import { TesseraError } from '../shared/errors.js'

/**
 * `/healthz`: the process is up. `/readyz`: it can reach its store (`pingStore` resolves) and is
 * not shutting down (`draining`: it answers 503 for `http.shutdownDelay` after SIGTERM, so a load
 * balancer stops routing to it before it stops taking requests); load balancers route on it.
 */
export function healthRoutes(pingStore: () => Promise<unknown>, draining: () => boolean = () => false) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', async () => ({ status: 'ok' }))
    app.get('/readyz', async (_request, reply) => {
      if (draining()) return reply.code(503).send({ status: 'draining' })
      try {
        await pingStore()
      } catch {
        throw new TesseraError('store_unavailable')
      }
      return { status: 'ready' }
    })
  }
}
