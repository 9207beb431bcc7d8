import type { FastifyReply, FastifyRequest } from 'fastify'
import { isTesseraAuthError } from '../errors/tessera-auth-error.js'
import { authErrorResponse } from '../http/auth-error-response.js'
import { createRequestAuthenticator } from '../http/authenticate-request.js'
import type { BearerVerifier, RequireAuthOptions } from '../http/require-auth-options.js'
import type { AuthContext } from '../verifier/auth-context.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireAuth` from `@tessera/sdk/fastify`. */
    auth?: AuthContext
  }
}

/**
 * The `preHandler` hook `requireAuth` returns.
 *
 * @example
 * const hook: AuthHook = requireAuth(verifier)
 */
export type AuthHook = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>

/**
 * A Fastify `preHandler` hook: verifies `Authorization: Bearer` (or `DPoP` with its proof, RFC 9449), sets `request.auth`, and answers
 * failures itself with RFC 6750 challenges (401, 403 `insufficient_scope`) or a 503. Other errors
 * go to Fastify's error handler.
 *
 * @example
 * import Fastify from 'fastify'
 * import { createVerifier } from '@tessera/sdk'
 * import { requireAuth } from '@tessera/sdk/fastify'
 *
 * const verifier = createVerifier({ issuer, audience, mode: 'hybrid', client: { id, secret } })
 * const app = Fastify()
 * app.get('/orders', { preHandler: requireAuth(verifier, { scopes: ['orders:read'] }) }, async (request) => {
 *   return { user: request.auth?.subject }
 * })
 * // or for every route of a plugin: app.addHook('preHandler', requireAuth(verifier))
 */
export function requireAuth(verifier: BearerVerifier, options: RequireAuthOptions = {}): AuthHook {
  const realm = options.realm ?? verifier.audience
  const authenticate = createRequestAuthenticator(verifier, options)
  return async function tesseraRequireAuth(request, reply) {
    try {
      request.auth = await authenticate({
        method: request.method,
        url: () => `${request.protocol}://${request.host}${request.url}`,
        authorization: request.headers.authorization,
        dpop: request.headers.dpop,
      })
    } catch (error) {
      if (!isTesseraAuthError(error)) throw error
      const answer = authErrorResponse(error, realm)
      return reply.code(answer.status).headers(answer.headers).type('application/problem+json').send(JSON.stringify(answer.body))
    }
  }
}
