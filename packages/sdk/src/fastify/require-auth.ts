import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { isTesseraAuthError } from '../errors/tessera-auth-error.js'
import { authErrorResponse } from '../http/auth-error-response.js'
import { createEagerAuthenticator } from '../http/authenticate-request.js'
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
export type AuthHook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void

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
  const authenticate = createEagerAuthenticator(verifier, options)

  function fail(error: unknown, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (!isTesseraAuthError(error)) {
      done(error as Error)
      return
    }
    const answer = authErrorResponse(error, realm)
    // A hook that answers does not call done (Fastify's hooks: "Respond to a request from a hook").
    reply.code(answer.status).headers(answer.headers).type('application/problem+json').send(JSON.stringify(answer.body))
  }

  // A callback hook, not an async one: a cached token is answered without a promise, and Fastify
  // runs a callback hook without one either (docs/architecture.md §9, SDK rows).
  return function tesseraRequireAuth(request, reply, done) {
    let auth: AuthContext | Promise<AuthContext>
    try {
      auth =
        authenticate.cached(request.headers.authorization) ??
        authenticate.full({
          method: request.method,
          url: () => `${request.protocol}://${request.host}${request.url}`,
          authorization: request.headers.authorization,
          dpop: request.headers.dpop,
        })
    } catch (error) {
      fail(error, reply, done)
      return
    }
    if (!(auth instanceof Promise)) {
      request.auth = auth
      done()
      return
    }
    auth.then(
      (context) => {
        request.auth = context
        done()
      },
      (error: unknown) => fail(error, reply, done),
    )
  }
}
