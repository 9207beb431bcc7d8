/**
 * The catalogue of error codes. Codes are public API: they never change once released;
 * titles may. Every error a client can see comes from this table: its HTTP status and, where the
 * protocol defines one, the OAuth error name an OAuth endpoint answers with (RFC 6749 §5.2 and
 * §4.1.2.1, RFC 6750 §3.1, RFC 8707 §2, OIDC Core §3.1.2.6). A code with no OAuth name is
 * `invalid_request` on an OAuth endpoint (see {@link oauthErrorName}).
 *
 * @example
 * ERRORS.client_throttled // { status: 429, oauthError: 'invalid_client', title: '…' }
 */
export const ERRORS = {
  invalid_request: { status: 400, oauthError: 'invalid_request', title: 'The request is invalid' },
  // RFC 6749 §5.2: a malformed body is an invalid_request (sent as 400 on OAuth endpoints).
  malformed_json: { status: 400, oauthError: 'invalid_request', title: 'The request body is not valid JSON' },
  payload_too_large: { status: 413, oauthError: 'invalid_request', title: 'The request body is too large' },
  unsupported_media_type: { status: 415, oauthError: 'invalid_request', title: 'The request body must be application/json' },
  not_found: { status: 404, oauthError: null, title: 'There is nothing here' },
  invalid_email: { status: 400, oauthError: null, title: 'The email address is not valid' },
  email_taken: { status: 409, oauthError: null, title: 'An account with this email address already exists' },
  password_too_short: { status: 400, oauthError: null, title: 'The password is too short' },
  password_too_long: { status: 400, oauthError: null, title: 'The password is too long' },
  password_too_common: { status: 400, oauthError: null, title: 'The password is too easy to guess' },
  // A new password's strength estimate runs in one worker thread with a bounded queue (users/password-estimate-pool.ts):
  // refused, with Retry-After, rather than accepted unchecked or held without bound.
  password_check_busy: { status: 503, oauthError: 'temporarily_unavailable', title: 'Too many new passwords are being checked' },
  password_check_failed: { status: 503, oauthError: 'temporarily_unavailable', title: 'The password could not be checked' },
  invalid_credentials: { status: 401, oauthError: null, title: 'The email address or password is wrong' },
  too_many_attempts: { status: 429, oauthError: null, title: 'Too many failed attempts; try again later' },
  rate_limited: { status: 429, oauthError: null, title: 'Too many requests; slow down' },
  user_disabled: { status: 403, oauthError: null, title: 'This account is disabled' },
  unauthenticated: { status: 401, oauthError: null, title: 'Sign in first' },
  // RFC 6750 §3.1.
  invalid_token: {
    status: 401,
    oauthError: 'invalid_token',
    title: 'The access token is invalid, expired, revoked or not meant for this API',
  },
  insufficient_scope: { status: 403, oauthError: 'insufficient_scope', title: 'The access token lacks the permission this request needs' },
  session_invalid: { status: 401, oauthError: null, title: 'The session token is not valid' },
  session_expired: { status: 401, oauthError: null, title: 'The session has expired' },
  session_revoked: { status: 401, oauthError: null, title: 'The session has been revoked' },
  duplicate_session_cookie: { status: 400, oauthError: null, title: 'The request carries more than one session cookie' },
  csrf_rejected: { status: 403, oauthError: null, title: 'Cross-site request refused' },
  // Self-service flows (flows/): unknown, expired, finished, or bound to another browser; all look alike.
  flow_expired: { status: 400, oauthError: null, title: 'This sign-in has expired or was started in another browser' },
  // OWASP CSRF Prevention Cheat Sheet (synchronizer token): the form's token is not this flow's current one.
  csrf_token_invalid: { status: 403, oauthError: null, title: 'The form has expired' },
  // Fetch §3.2 (CORS): a page on an origin the client does not allow; refused before any effect.
  origin_not_allowed: { status: 403, oauthError: 'invalid_request', title: 'This web origin may not call this endpoint for this client' },
  session_not_found: { status: 404, oauthError: null, title: 'No such session' },
  user_not_found: { status: 404, oauthError: null, title: 'No such user' },
  invalid_client: { status: 401, oauthError: 'invalid_client', title: 'Client authentication failed' },
  // RFC 6749 §5.2: a throttled client failed authentication; 429 with Retry-After, not 401.
  client_throttled: { status: 429, oauthError: 'invalid_client', title: 'Too many failed client authentications; try again later' },
  invalid_grant: { status: 400, oauthError: 'invalid_grant', title: 'The grant is invalid, expired or revoked' },
  unauthorized_client: { status: 400, oauthError: 'unauthorized_client', title: 'This client may not use this grant type' },
  unsupported_grant_type: { status: 400, oauthError: 'unsupported_grant_type', title: 'Unsupported grant type' },
  invalid_scope: { status: 400, oauthError: 'invalid_scope', title: 'The requested scope is invalid or not allowed' },
  // RFC 8707 §2.
  invalid_target: { status: 400, oauthError: 'invalid_target', title: 'The requested resource is unknown or not allowed' },
  // RFC 6749 §4.1.2.1: shown to the user, never sent to an untrusted client or redirect URI.
  unknown_client: { status: 400, oauthError: 'invalid_request', title: 'The application is not registered with this server' },
  redirect_uri_mismatch: { status: 400, oauthError: 'invalid_request', title: 'The redirect_uri is not registered for this client' },
  unsupported_response_type: { status: 400, oauthError: 'unsupported_response_type', title: 'Only response_type=code is supported' },
  access_denied: { status: 403, oauthError: 'access_denied', title: 'The user or the server denied the request' },
  // OIDC Core §3.1.2.6.
  login_required: { status: 400, oauthError: 'login_required', title: 'The user must sign in' },
  consent_required: { status: 400, oauthError: 'consent_required', title: 'The user must consent' },
  // OpenID Connect Core Unmet Authentication Requirements 1.0 §2: the acr asked for cannot be reached.
  unmet_authentication_requirements: {
    status: 400,
    oauthError: 'unmet_authentication_requirements',
    title: 'The user cannot meet the authentication requirements of the request',
  },
  // docs/mfa.md "Step-up": the flow steps up one browser session of one user, never another.
  step_up_mismatch: { status: 403, oauthError: null, title: 'This step-up belongs to another session or account' },
  request_not_supported: { status: 400, oauthError: 'request_not_supported', title: 'Request objects are not supported' },
  request_uri_not_supported: { status: 400, oauthError: 'request_uri_not_supported', title: 'request_uri is not supported' },
  // RFC 9126 §4, OIDC Core §3.1.2.6: a pushed request's reference that is unknown, used, expired or another client's.
  // RFC 9449 §5, §8 and §12.2: a refused DPoP proof, a server nonce to use, an API that takes DPoP-bound tokens only.
  invalid_dpop_proof: { status: 400, oauthError: 'invalid_dpop_proof', title: 'The DPoP proof is invalid' },
  use_dpop_nonce: { status: 400, oauthError: 'use_dpop_nonce', title: 'Use the server-provided DPoP nonce' },
  // RFC 9449 §7.1: the same refusals at a resource server (userinfo), as 401 with a DPoP challenge.
  dpop_proof_refused: { status: 401, oauthError: 'invalid_dpop_proof', title: 'The DPoP proof is invalid' },
  dpop_nonce_required: { status: 401, oauthError: 'use_dpop_nonce', title: 'Use the server-provided DPoP nonce' },
  dpop_required: { status: 400, oauthError: 'invalid_request', title: 'This API accepts DPoP-bound tokens only' },
  invalid_request_uri: { status: 400, oauthError: 'invalid_request_uri', title: 'The request_uri is invalid, expired or already used' },
  // RFC 8628 §3.5: the answers to a device polling the token endpoint (all 400, RFC 6749 §5.2).
  authorization_pending: { status: 400, oauthError: 'authorization_pending', title: 'The user has not yet approved or denied the request' },
  slow_down: { status: 400, oauthError: 'slow_down', title: 'Polling too fast: wait the interval, now 5 seconds longer' },
  expired_token: { status: 400, oauthError: 'expired_token', title: 'The device code has expired; start again' },
  device_access_denied: { status: 400, oauthError: 'access_denied', title: 'The user denied the request' },
  // RFC 8628 §3.3: a user code typed on the verification page that is unknown, expired or already decided.
  user_code_invalid: { status: 400, oauthError: null, title: 'This code is not valid: check it, or start again on your device' },
  authorization_request_invalid: { status: 400, oauthError: 'invalid_request', title: 'The authorization request cannot be processed' },
  api_exists: { status: 409, oauthError: null, title: 'An API with this identifier already exists' },
  api_not_found: { status: 404, oauthError: null, title: 'No such API' },
  application_not_found: { status: 404, oauthError: null, title: 'No such application' },
  role_not_found: { status: 404, oauthError: null, title: 'No such role' },
  role_exists: { status: 409, oauthError: null, title: 'A role with this name already exists' },
  role_not_assigned: { status: 404, oauthError: null, title: 'The user or application does not hold this role' },
  permission_not_found: { status: 404, oauthError: null, title: 'No such permission on this API or role' },
  key_not_found: { status: 404, oauthError: null, title: 'No such signing key' },
  builtin_protected: { status: 409, oauthError: null, title: 'This built-in object cannot be changed or deleted' },
  admin_already_bootstrapped: { status: 409, oauthError: null, title: 'An admin application already exists; bootstrap runs once' },
  webhook_not_found: { status: 404, oauthError: null, title: 'No such webhook endpoint' },
  webhook_delivery_not_found: { status: 404, oauthError: null, title: 'No such webhook delivery' },
  webhook_url_invalid: { status: 400, oauthError: null, title: 'The webhook URL is not acceptable' },
  webhook_url_forbidden: { status: 400, oauthError: null, title: 'The webhook URL points at an address Tessera does not send to' },
  invalid_cursor: { status: 400, oauthError: null, title: 'The cursor is not one this server issued or has reached' },
  feed_forbidden: { status: 403, oauthError: null, title: 'Only resource-server applications may read the revocation feed' },
  mfa_factor_not_found: { status: 404, oauthError: null, title: 'No such second factor' },
  invalid_mfa_code: { status: 401, oauthError: null, title: 'The code is wrong, expired or already used' },
  // docs/mfa.md "Policy": `mfa.policy` off refuses new factors; required refuses removing the last one.
  passkey_rejected: { status: 401, oauthError: null, title: 'The passkey could not be verified; try again or use your password' },
  mfa_disabled: { status: 403, oauthError: null, title: 'Second factors are turned off on this server' },
  last_factor_required: {
    status: 409,
    oauthError: null,
    title: 'A second factor is required: add another one before removing this one',
  },
  reauthentication_required: {
    status: 403,
    oauthError: null,
    title: 'Sign in again to do this: it needs a sign-in within the last few minutes',
  },
  // RFC 6749 §4.1.2.1 (and §5.2 by extension): temporarily_unavailable and server_error.
  account_token_invalid: {
    status: 400,
    oauthError: null,
    title: 'The link is not valid: it is unknown, altered or meant for something else',
  },
  account_token_expired: { status: 400, oauthError: null, title: 'The link has expired; ask for a new one' },
  account_token_used: { status: 400, oauthError: null, title: 'The link has been used already; ask for a new one' },
  verification_code_invalid: { status: 400, oauthError: null, title: 'The code is wrong or has expired' },
  verification_code_exhausted: { status: 400, oauthError: null, title: 'Too many wrong codes; ask for a new message' },
  // RFC 6749 §5.2: on the token endpoint the grant is refused (invalid_grant) until the address is verified.
  email_not_verified: {
    status: 403,
    oauthError: 'invalid_grant',
    title: 'Confirm your email address first: open the link in the message we sent, or ask for a new one',
  },
  email_unavailable: { status: 503, oauthError: null, title: 'Email cannot be sent: no SMTP server is configured' },
  email_delivery_not_found: { status: 404, oauthError: null, title: 'No such email delivery' },
  // Issue 15: upstream identity providers (connections/).
  connection_not_found: { status: 404, oauthError: null, title: 'No such connection' },
  connection_invalid: { status: 400, oauthError: null, title: 'The connection settings are not acceptable' },
  upstream_state_invalid: {
    status: 400,
    oauthError: null,
    title: 'This answer from the identity provider does not belong to a sign-in started in this browser',
  },
  upstream_unavailable: {
    status: 502,
    oauthError: null,
    title: 'The identity provider did not answer in time or answered with something unusable',
  },
  upstream_rejected: { status: 400, oauthError: null, title: 'The identity provider refused the sign-in or its answer failed our checks' },
  upstream_code_invalid: {
    status: 400,
    oauthError: null,
    title: 'The return code is wrong, used or expired; start the sign-in with the identity provider again',
  },
  first_party_required: {
    status: 403,
    oauthError: null,
    title: 'Only a first-party application, named when the flow starts, can do this over the API',
  },
  upstream_email_missing: { status: 400, oauthError: null, title: 'The identity provider did not share an email address' },
  upstream_sign_up_disabled: { status: 403, oauthError: null, title: 'This identity provider cannot create new accounts here' },
  upstream_account_exists: {
    status: 409,
    oauthError: null,
    title: 'An account with this email address already exists; sign in to it to link this identity provider',
  },
  identity_taken: { status: 409, oauthError: null, title: 'This identity is already linked to another account' },
  identity_not_found: { status: 404, oauthError: null, title: 'No such linked identity' },
  last_sign_in_method: { status: 409, oauthError: null, title: 'This is the only way to sign in to the account; add another first' },
  store_unavailable: { status: 503, oauthError: 'temporarily_unavailable', title: 'The store is unavailable' },
  internal_error: { status: 500, oauthError: 'server_error', title: 'Something went wrong on our side' },
} as const satisfies Record<string, { status: number; oauthError: string | null; title: string }>

export type ErrorCode = keyof typeof ERRORS

/** The OAuth error names Tessera answers with (RFC 6749 §5.2, §4.1.2.1; RFC 6750 §3.1; RFC 8707 §2; OIDC Core §3.1.2.6). */
export type OAuthErrorName = NonNullable<(typeof ERRORS)[ErrorCode]['oauthError']>

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
  /** The OAuth error name of the code, or null when the protocol has none (see {@link oauthErrorName}). */
  readonly oauthError: OAuthErrorName | null
  readonly detail: string | undefined
  readonly retryAfter: number | undefined
  readonly errors: { path: string; message: string }[] | undefined

  constructor(code: ErrorCode, options: TesseraErrorOptions = {}) {
    super(options.detail ?? ERRORS[code].title)
    this.name = 'TesseraError'
    this.code = code
    this.status = ERRORS[code].status
    this.oauthError = ERRORS[code].oauthError
    this.detail = options.detail
    this.retryAfter = options.retryAfter
    this.errors = options.errors
  }
}

export function isTesseraError(error: unknown): error is TesseraError {
  return error instanceof TesseraError
}

/**
 * The OAuth error name of an error, as an OAuth endpoint sends it. RFC 6749 §5.2: a request error
 * the protocol has no name for is `invalid_request`.
 *
 * @example
 * oauthErrorName(new TesseraError('store_unavailable')) // 'temporarily_unavailable'
 */
export function oauthErrorName(error: TesseraError): OAuthErrorName {
  return error.oauthError ?? 'invalid_request'
}
