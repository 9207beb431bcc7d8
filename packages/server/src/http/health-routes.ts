import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { sql } from 'kysely'
import { TesseraError } from '../shared/errors.js'
import type { Database } from '../store/database.js'

/** `/healthz`: the process is up. `/readyz`: it can reach its store; load balancers route on it. */
export function healthRoutes(db: Kysely<Database>) {
  return async (app: FastifyInstance) => {
    app.get('/healthz', async () => ({ status: 'ok' }))
    app.get('/readyz', async () => {
      try {
        await sql`select 1`.execute(db)
      } catch {
        throw new TesseraError('store_unavailable')
      }
      return { status: 'ready' }
    })
  }
}
