/**
 * The catalogue of error codes. Codes are public API: they never change once released;
 * titles may. Every error a client can see comes from this table.
 */
export const ERRORS = {
  invalid_request: { status: 400, title: 'The request is invalid' },
  malformed_json: { status: 400, title: 'The request body is not valid JSON' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'The request body must be application/json' },
  not_found: { status: 404, title: 'There is nothing here' },
  invalid_email: { status: 400, title: 'The email address is not valid' },
  email_taken: { status: 409, title: 'An account with this email address already exists' },
  password_too_short: { status: 400, title: 'The password is too short' },
  password_too_long: { status: 400, title: 'The password is too long' },
  password_too_common: { status: 400, title: 'The password is too easy to guess' },
  invalid_credentials: { status: 401, title: 'The email address or password is wrong' },
  too_many_attempts: { status: 429, title: 'Too many failed attempts; try again later' },
  rate_limited: { status: 429, title: 'Too many requests; slow down' },
  user_disabled: { status: 403, title: 'This account is disabled' },
  unauthenticated: { status: 401, title: 'Sign in first' },
  invalid_token: { status: 401, title: 'The access token is invalid, expired, revoked or not meant for this API' },
  insufficient_scope: { status: 403, title: 'The access token lacks the permission this request needs' },
  session_invalid: { status: 401, title: 'The session token is not valid' },
  session_expired: { status: 401, title: 'The session has expired' },
  session_revoked: { status: 401, title: 'The session has been revoked' },
  duplicate_session_cookie: { status: 400, title: 'The request carries more than one session cookie' },
  csrf_rejected: { status: 403, title: 'Cross-site request refused' },
  origin_not_allowed: { status: 403, title: 'This web origin may not call this endpoint for this client' },
  session_not_found: { status: 404, title: 'No such session' },
  user_not_found: { status: 404, title: 'No such user' },
  invalid_client: { status: 401, title: 'Client authentication failed' },
  client_throttled: { status: 429, title: 'Too many failed client authentications; try again later' },
  invalid_grant: { status: 400, title: 'The grant is invalid, expired or revoked' },
  unauthorized_client: { status: 400, title: 'This client may not use this grant type' },
  unsupported_grant_type: { status: 400, title: 'Unsupported grant type' },
  invalid_scope: { status: 400, title: 'The requested scope is invalid or not allowed' },
  invalid_target: { status: 400, title: 'The requested resource is unknown or not allowed' },
  unsupported_response_type: { status: 400, title: 'Only response_type=code is supported' },
  access_denied: { status: 403, title: 'The user or the server denied the request' },
  login_required: { status: 400, title: 'The user must sign in' },
  consent_required: { status: 400, title: 'The user must consent' },
  request_not_supported: { status: 400, title: 'Request objects are not supported' },
  request_uri_not_supported: { status: 400, title: 'request_uri is not supported' },
  authorization_request_invalid: { status: 400, title: 'The authorization request cannot be processed' },
  api_exists: { status: 409, title: 'An API with this identifier already exists' },
  api_not_found: { status: 404, title: 'No such API' },
  application_not_found: { status: 404, title: 'No such application' },
  role_not_found: { status: 404, title: 'No such role' },
  role_exists: { status: 409, title: 'A role with this name already exists' },
  role_not_assigned: { status: 404, title: 'The user or application does not hold this role' },
  permission_not_found: { status: 404, title: 'No such permission on this API or role' },
  key_not_found: { status: 404, title: 'No such signing key' },
  builtin_protected: { status: 409, title: 'This built-in object cannot be changed or deleted' },
  admin_already_bootstrapped: { status: 409, title: 'An admin application already exists; bootstrap runs once' },
  webhook_not_found: { status: 404, title: 'No such webhook endpoint' },
  webhook_delivery_not_found: { status: 404, title: 'No such webhook delivery' },
  webhook_url_invalid: { status: 400, title: 'The webhook URL is not acceptable' },
  webhook_url_forbidden: { status: 400, title: 'The webhook URL points at an address Tessera does not send to' },
  invalid_cursor: { status: 400, title: 'The cursor is not one this server issued or has reached' },
  feed_forbidden: { status: 403, title: 'Only resource-server applications may read the revocation feed' },
  store_unavailable: { status: 503, title: 'The store is unavailable' },
  internal_error: { status: 500, title: 'Something went wrong on our side' },
} as const satisfies Record<string, { status: number; title: string }>

export type ErrorCode = keyof typeof ERRORS

export interface TesseraErrorOptions {
  /** Human-readable explanation. Never put a secret, token, password or hash in it. */
  detail?: string
  /** Seconds the client should wait before retrying (sent as `Retry-After`). */
  retryAfter?: number
  /** Field-level problems, for validation errors. */
  errors?: { path: string; message: string }[]
}

/**
 * The one error type of Tessera. Its `code` is stable; tests and clients match on it.
 * @example
 * throw new TesseraError('email_taken')
 */
export class TesseraError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly detail: string | undefined
  readonly retryAfter: number | undefined
  readonly errors: { path: string; message: string }[] | undefined

  constructor(code: ErrorCode, options: TesseraErrorOptions = {}) {
    super(options.detail ?? ERRORS[code].title)
    this.name = 'TesseraError'
    this.code = code
    this.status = ERRORS[code].status
    this.detail = options.detail
    this.retryAfter = options.retryAfter
    this.errors = options.errors
  }
}

export function isTesseraError(error: unknown): error is TesseraError {
  return error instanceof TesseraError
}
