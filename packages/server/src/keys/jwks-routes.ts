import type { FastifyInstance } from 'fastify'
import type { KeyService } from './key-service.js'

/**
 * `GET /.well-known/jwks.json`: public members only. Verifiers may cache it for `maxAgeSeconds`;
 * a new key is published at least that long before it signs (see signing-key.ts).
 */
export function jwksRoutes(keys: KeyService, maxAgeSeconds: number) {
  return async (app: FastifyInstance) => {
    app.get('/.well-known/jwks.json', { config: { cors: 'public' } }, async (_request, reply) => {
      reply.header('cache-control', `public, max-age=${maxAgeSeconds}`)
      return reply.type('application/jwk-set+json').send(await keys.jwks())
    })
  }
}
