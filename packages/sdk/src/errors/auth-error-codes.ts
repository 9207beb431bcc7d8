/**
 * The catalogue of the SDK's error codes. Codes are public API: they never change once released;
 * titles may. `oauthError` is the RFC 6750 §3.1 error name a bearer challenge carries, when there
 * is one.
 *
 * @example
 * AUTH_ERRORS.insufficient_scope.status // 403
 */
export const AUTH_ERRORS = {
  missing_token: { status: 401, oauthError: null, title: 'The request carries no access token' },
  invalid_request: { status: 400, oauthError: 'invalid_request', title: 'The Authorization header is malformed' },
  invalid_token: { status: 401, oauthError: 'invalid_token', title: 'The access token is not valid' },
  token_expired: { status: 401, oauthError: 'invalid_token', title: 'The access token has expired' },
  token_revoked: { status: 401, oauthError: 'invalid_token', title: 'The access token has been revoked' },
  insufficient_scope: { status: 403, oauthError: 'insufficient_scope', title: 'The access token lacks a required scope' },
  // RFC 9470 §3: the authentication behind the token is too old or too weak for this resource.
  insufficient_user_authentication: {
    status: 401,
    oauthError: 'insufficient_user_authentication',
    title: 'A more recent or stronger authentication is required',
  },
  // RFC 9449 §7.1: a DPoP-bound token without a good proof of its key, or a bearer token where DPoP is required.
  invalid_dpop_proof: { status: 401, oauthError: 'invalid_dpop_proof', title: 'The DPoP proof is missing or invalid' },
  dpop_required: { status: 401, oauthError: 'invalid_token', title: 'This resource accepts DPoP-bound tokens only' },
  stale_revocation_feed: {
    status: 503,
    oauthError: null,
    title: 'The revocation feed has been silent for longer than maxStaleness',
  },
  verifier_unavailable: { status: 503, oauthError: null, title: 'The issuer cannot be reached to verify the token' },
  invalid_configuration: { status: 500, oauthError: null, title: 'The verifier is misconfigured' },
} as const satisfies Record<string, { status: number; oauthError: string | null; title: string }>

/**
 * A stable error code of the SDK.
 *
 * @example
 * const code: AuthErrorCode = 'token_revoked'
 */
export type AuthErrorCode = keyof typeof AUTH_ERRORS

/**
 * The RFC 6750 error names a bearer challenge can carry.
 *
 * @example
 * const name: BearerErrorName = 'insufficient_scope'
 */
export type BearerErrorName = NonNullable<(typeof AUTH_ERRORS)[AuthErrorCode]['oauthError']>
