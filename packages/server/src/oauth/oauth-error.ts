import type { FastifyReply } from 'fastify'
import type { ErrorCode, TesseraError } from '../shared/errors.js'

/** RFC 6749 §5.2 error names, and what each Tessera code is called there. */
const OAUTH_NAMES: Partial<Record<ErrorCode, string>> = {
  invalid_client: 'invalid_client',
  client_throttled: 'invalid_client',
  invalid_grant: 'invalid_grant',
  unauthorized_client: 'unauthorized_client',
  unsupported_grant_type: 'unsupported_grant_type',
  invalid_scope: 'invalid_scope',
  invalid_target: 'invalid_target', // RFC 8707 §2
  unsupported_response_type: 'unsupported_response_type',
  access_denied: 'access_denied',
  login_required: 'login_required', // OIDC Core §3.1.2.6
  consent_required: 'consent_required',
  request_not_supported: 'request_not_supported',
  request_uri_not_supported: 'request_uri_not_supported',
  invalid_token: 'invalid_token', // RFC 6750 §3.1
  insufficient_scope: 'insufficient_scope',
  store_unavailable: 'temporarily_unavailable',
  internal_error: 'server_error',
}

/** The OAuth error name of a Tessera error (RFC 6749 §4.1.2.1, §5.2; OIDC Core §3.1.2.6). */
export function oauthErrorName(error: TesseraError): string {
  return OAUTH_NAMES[error.code] ?? 'invalid_request'
}

/** Sends an error the way OAuth clients expect it: `{ error, error_description }`. */
export function sendOAuthError(reply: FastifyReply, error: TesseraError): FastifyReply {
  const name = oauthErrorName(error)
  // RFC 6749 §5.2: invalid_client is 401 with WWW-Authenticate; other request errors are 400.
  const status = name === 'invalid_request' && error.status < 500 && error.status !== 429 ? 400 : error.status
  if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
  if (name === 'invalid_client' && status === 401) reply.header('www-authenticate', 'Basic realm="tessera"')
  reply.header('cache-control', 'no-store')
  return reply
    .code(status)
    .type('application/json')
    .send({ error: name, ...(error.detail ? { error_description: error.detail } : {}) })
}
