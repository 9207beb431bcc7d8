import { AUTH_ERRORS } from '../errors/auth-error-codes.js'
import type { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { DPOP_ALGORITHMS } from './dpop-proof.js'

/**
 * RFC 9457 problem details, with the SDK's stable `code` as an extension member (the server's
 * shape). The body names no detail: the header and the code say enough to a client.
 *
 * @example
 * const body: AuthProblem = { type: 'urn:tessera:error:token_revoked', title: 'The access token has been revoked', status: 401, code: 'token_revoked' }
 */
export interface AuthProblem {
  type: string
  title: string
  status: number
  code: string
}

/**
 * A framework-neutral error answer: status, headers and body.
 *
 * @example
 * const answer = authErrorResponse(new TesseraAuthError('insufficient_scope', { scopes: ['orders:read'] }), 'https://api.example.com')
 * // { status: 403, headers: { 'www-authenticate': 'Bearer realm="https://api.example.com", error="insufficient_scope", scope="orders:read"', … }, body: … }
 */
export interface AuthErrorResponse {
  status: number
  headers: Record<string, string>
  body: AuthProblem
}

/**
 * The answer to a failed verification: an RFC 6750 §3 challenge for 401, 400 and 403, and a
 * `Retry-After` for 503 (a stale feed or an unreachable issuer is not the client's fault).
 *
 * @example
 * const { status, headers, body } = authErrorResponse(error, verifier.audience)
 * res.writeHead(status, { ...headers, 'content-type': 'application/problem+json' }).end(JSON.stringify(body))
 */
export function authErrorResponse(error: TesseraAuthError, realm: string): AuthErrorResponse {
  const headers: Record<string, string> = { 'cache-control': 'no-store' }
  if (error.status === 401 || error.status === 400 || error.status === 403) {
    const params = [`realm=${quote(realm)}`]
    if (error.oauthError) params.push(`error=${quote(error.oauthError)}`)
    if (error.code === 'insufficient_scope' && error.scopes.length > 0) params.push(`scope=${quote(error.scopes.join(' '))}`)
    // RFC 9470 §3: say what would be enough, so the client can step the user up.
    if (error.acrValues.length > 0) params.push(`acr_values=${quote(error.acrValues.join(' '))}`)
    if (error.maxAge !== undefined) params.push(`max_age=${quote(String(error.maxAge))}`)
    // RFC 9449 §7.1: a DPoP failure is answered with a DPoP challenge naming the accepted algorithms.
    headers['www-authenticate'] =
      error.code === 'invalid_dpop_proof' || error.code === 'dpop_required'
        ? `DPoP algs="${DPOP_ALGORITHMS.join(' ')}", ${params.join(', ')}`
        : `Bearer ${params.join(', ')}`
  }
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter)
  return {
    status: error.status,
    headers,
    body: { type: `urn:tessera:error:${error.code}`, title: AUTH_ERRORS[error.code].title, status: error.status, code: error.code },
  }
}

/** RFC 9110 §5.6.4 quoted-string: escape `"` and `\`, drop control characters. */
function quote(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed
  return `"${value.replace(/[\u0000-\u001f\u007f]/g, '').replace(/["\\]/g, '\\$&')}"`
}
