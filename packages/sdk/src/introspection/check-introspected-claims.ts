import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { AccessTokenClaims } from '../tokens/access-token-claims.js'
import { isNumericDate } from '../tokens/check-claims.js'

/** What an active introspection answer is checked against. */
export interface IntrospectionRules {
  issuer: string
  audience: string
  /** Milliseconds since the Unix epoch. */
  now: number
  /** Seconds. */
  leeway: number
}

/**
 * An active answer is trusted for who and what, but still checked for where: a resource-server
 * application may serve several APIs, so the token must be for ours (RFC 7662 §4), must be an
 * access token and not a refresh token, and must not have expired.
 */
export function checkIntrospectedClaims(claims: Record<string, unknown>, rules: IntrospectionRules): AccessTokenClaims {
  const invalid = (detail: string) => new TesseraAuthError('invalid_token', { detail })
  if (typeof claims.token_type === 'string' && claims.token_type.toLowerCase() === 'refresh_token') throw invalid('a refresh token')
  if (claims.iss !== undefined && claims.iss !== rules.issuer) throw invalid('wrong issuer')
  const aud = claims.aud
  if (!(aud === rules.audience || (Array.isArray(aud) && aud.includes(rules.audience)))) throw invalid('wrong audience')
  if (typeof claims.sub !== 'string' || claims.sub === '' || typeof claims.client_id !== 'string' || claims.client_id === '') {
    throw invalid('sub or client_id is missing')
  }
  if (!isNumericDate(claims.exp)) throw invalid('exp is missing')
  if (claims.exp * 1000 + rules.leeway * 1000 <= rules.now) throw new TesseraAuthError('token_expired')
  if (claims.sid !== undefined && (typeof claims.sid !== 'string' || claims.sid === '')) throw invalid('sid is malformed')
  const checked: AccessTokenClaims = {
    ...claims,
    iss: rules.issuer,
    sub: claims.sub,
    aud: aud as string | string[],
    exp: claims.exp,
    iat: typeof claims.iat === 'number' ? claims.iat : 0,
    jti: typeof claims.jti === 'string' ? claims.jti : '',
    client_id: claims.client_id,
    scope: typeof claims.scope === 'string' ? claims.scope : '',
  }
  if (!Number.isSafeInteger(checked.tessera_tv)) delete checked.tessera_tv
  // What the step-up check reads must be typed; anything else is dropped, so that check fails closed.
  if (!isNumericDate(checked.auth_time)) delete checked.auth_time
  if (typeof checked.acr !== 'string' || checked.acr === '') delete checked.acr
  if (!(Array.isArray(checked.amr) && checked.amr.every((method) => typeof method === 'string'))) delete checked.amr
  return checked
}
