import type { FastifyInstance } from 'fastify'
import type { Connection } from '../connections/connection.js'
import { TesseraError } from '../shared/errors.js'

export interface ConnectionJwksRoutesDeps {
  connections: { get(id: string): Promise<Connection>; publicJwks(connection: Connection): { keys: object[] } }
}

const CONNECTION_ID = /^con_[A-Za-z0-9_-]{22}$/

/**
 * `GET /oauth/connections/{id}/jwks` (issue 15): the public key of a connection's
 * `private_key_jwt`, as a JWK Set (RFC 7517 §5), for an upstream that fetches its clients' keys
 * (a `jwks_uri` registration) instead of holding a copy. Public keys only; 404 for a connection
 * without a key, as for an unknown one.
 */
export function connectionJwksRoutes(deps: ConnectionJwksRoutesDeps) {
  return async (app: FastifyInstance) => {
    app.get('/oauth/connections/:connectionId/jwks', async (request, reply) => {
      const { connectionId } = request.params as { connectionId: string }
      const connection = CONNECTION_ID.test(connectionId) ? await deps.connections.get(connectionId).catch(() => null) : null
      const jwks = connection ? deps.connections.publicJwks(connection) : { keys: [] }
      if (jwks.keys.length === 0) throw new TesseraError('connection_not_found')
      return reply.header('cache-control', 'public, max-age=300').type('application/jwk-set+json').send(jwks)
    })
  }
}
