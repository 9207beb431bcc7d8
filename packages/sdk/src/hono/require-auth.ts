import type { MiddlewareHandler } from 'hono'
import { isTesseraAuthError } from '../errors/tessera-auth-error.js'
import { authErrorResponse } from '../http/auth-error-response.js'
import { createRequestAuthenticator } from '../http/authenticate-request.js'
import type { BearerVerifier, RequireAuthOptions } from '../http/require-auth-options.js'
import type { AuthContext } from '../verifier/auth-context.js'

/**
 * The Hono environment `requireAuth` provides: `c.get('auth')` is the caller's context.
 *
 * @example
 * const app = new Hono<AuthEnv>()
 */
export interface AuthEnv {
  Variables: { auth: AuthContext }
}

/**
 * Hono middleware: verifies `Authorization: Bearer` (or `DPoP` with its proof, RFC 9449), sets `c.get('auth')`, and answers failures
 * itself with RFC 6750 challenges (401, 403 `insufficient_scope`) or a 503. Other errors go to
 * Hono's error handler.
 *
 * @example
 * import { Hono } from 'hono'
 * import { createVerifier } from '@tessera/sdk'
 * import { type AuthEnv, requireAuth } from '@tessera/sdk/hono'
 *
 * const verifier = createVerifier({ issuer, audience, mode: 'hybrid', client: { id, secret } })
 * const app = new Hono<AuthEnv>()
 * app.get('/orders', requireAuth(verifier, { scopes: ['orders:read'] }), (c) => c.json({ user: c.get('auth').subject }))
 */
export function requireAuth(verifier: BearerVerifier, options: RequireAuthOptions = {}): MiddlewareHandler<AuthEnv> {
  const realm = options.realm ?? verifier.audience
  const authenticate = createRequestAuthenticator(verifier, options)
  return async (c, next) => {
    let auth: AuthContext
    try {
      auth = await authenticate({
        method: c.req.method,
        url: c.req.url,
        authorization: c.req.header('authorization'),
        dpop: c.req.header('dpop'),
      })
    } catch (error) {
      if (!isTesseraAuthError(error)) throw error
      const answer = authErrorResponse(error, realm)
      return new Response(JSON.stringify(answer.body), {
        status: answer.status,
        headers: { ...answer.headers, 'content-type': 'application/problem+json' },
      })
    }
    c.set('auth', auth)
    await next()
  }
}
