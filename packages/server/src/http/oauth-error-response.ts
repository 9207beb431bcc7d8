import type { FastifyReply } from 'fastify'
import { oauthErrorName, type TesseraError } from '../shared/errors.js'

/**
 * Sends an error the way OAuth clients expect it: `{ error, error_description }` (RFC 6749 §5.2),
 * with the OAuth name the error table gives the code.
 */
export function sendOAuthError(reply: FastifyReply, error: TesseraError): FastifyReply {
  const name = oauthErrorName(error)
  // RFC 6749 §5.2: invalid_client is 401 with WWW-Authenticate; other request errors (a refused
  // grant too, such as email_not_verified) are 400. Throttling (429), a body too large (413, as the
  // JSON endpoints answer) and server failures (5xx) keep their own status.
  const asRequestError = name === 'invalid_request' || name === 'invalid_grant'
  const status = asRequestError && error.status < 500 && error.status !== 429 && error.status !== 413 ? 400 : error.status
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
  if (name === 'invalid_client' && status === 401) reply.header('www-authenticate', 'Basic realm="tessera"')
  reply.header('cache-control', 'no-store')
  return reply
    .code(status)
    .type('application/json')
    .send({ error: name, ...(error.detail ? { error_description: error.detail } : {}) })
}
