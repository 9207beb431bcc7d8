import type { RequestHandler } from 'express'
import { isTesseraAuthError } from '../errors/tessera-auth-error.js'
import { authErrorResponse } from '../http/auth-error-response.js'
import { createRequestAuthenticator } from '../http/authenticate-request.js'
import type { BearerVerifier, RequireAuthOptions } from '../http/require-auth-options.js'
import type { AuthContext } from '../verifier/auth-context.js'

declare global {
  namespace Express {
    interface Request {
      /** Set by `requireAuth` from `@tessera/sdk/express`. */
      auth?: AuthContext
    }
  }
}

/**
 * Express middleware (4 and 5): verifies `Authorization: Bearer` (or `DPoP` with its proof, RFC 9449), sets `req.auth`, and answers
 * failures itself with RFC 6750 challenges (401, 403 `insufficient_scope`) or a 503. Errors that
 * are not verification failures go to `next(error)`.
 *
 * @example
 * import express from 'express'
 * import { createVerifier } from '@tessera/sdk'
 * import { requireAuth } from '@tessera/sdk/express'
 *
 * const verifier = createVerifier({ issuer, audience, mode: 'hybrid', client: { id, secret } })
 * const app = express()
 * app.get('/orders', requireAuth(verifier, { scopes: ['orders:read'] }), (req, res) => {
 *   res.json({ user: req.auth?.subject })
 * })
 */
export function requireAuth(verifier: BearerVerifier, options: RequireAuthOptions = {}): RequestHandler {
  const realm = options.realm ?? verifier.audience
  const authenticate = createRequestAuthenticator(verifier, options)
  return (req, res, next) => {
    authenticate({
      method: req.method,
      url: () => `${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`,
      authorization: req.headers.authorization,
      dpop: req.headers.dpop,
    }).then(
      (auth) => {
        req.auth = auth
        next()
      },
      (error: unknown) => {
        if (!isTesseraAuthError(error)) return next(error)
        const answer = authErrorResponse(error, realm)
        res.status(answer.status).set(answer.headers).type('application/problem+json').send(JSON.stringify(answer.body))
      },
    )
  }
}
