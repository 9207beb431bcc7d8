import type { FastifyInstance } from 'fastify'
import { TesseraError } from '../shared/errors.js'

/**
 * `/healthz`: the process is up. `/readyz`: it can reach its store (`pingStore` resolves);
 * load balancers route on it.
 */
export function healthRoutes(pingStore: () => Promise<unknown>) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', async () => ({ status: 'ok' }))
    app.get('/readyz', async () => {
      try {
        await pingStore()
      } catch {
        throw new TesseraError('store_unavailable')
      }
      return { status: 'ready' }
    })
  }
}
