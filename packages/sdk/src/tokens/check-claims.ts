import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { isJsonObject } from '../shared/read-json.js'
import type { AccessTokenClaims } from './access-token-claims.js'

/** What the claims are checked against. */
export interface ClaimRules {
  issuer: string
  audience: string
  /** Milliseconds since the Unix epoch. */
  now: number
  /** Seconds of clock skew tolerated on exp, nbf and iat. */
  leeway: number
}

/**
 * The claim rules of RFC 9068 §4 and RFC 8725, in order, applied to a payload whose signature has
 * been verified. jose's own claim checks are not used: they accept a future `iat`, a non-finite
 * `exp` and a non-string `sub` (docs/architecture.md §9).
 */
export function checkClaims(payload: unknown, rules: ClaimRules): AccessTokenClaims {
  if (!isJsonObject(payload)) throw invalid('the payload is not a JSON object')
  checkIssuer(payload, rules)
  checkAudience(payload, rules)
  checkRequiredClaims(payload)
  checkTimes(payload, rules)
  return payload as AccessTokenClaims
}

// RFC 9068 §4 (RFC 8414 §2): iss equals the issuer exactly; no normalisation of slashes or case.
function checkIssuer(payload: Record<string, unknown>, rules: ClaimRules): void {
  if (payload.iss !== rules.issuer) throw invalid('wrong issuer')
}

// RFC 9068 §4, RFC 7519 §4.1.3: aud is our audience, or an array holding it.
function checkAudience(payload: Record<string, unknown>, rules: ClaimRules): void {
  const aud = payload.aud
  const ours = typeof aud === 'string' ? aud === rules.audience : Array.isArray(aud) && aud.includes(rules.audience)
  if (!ours) throw invalid('wrong audience')
}

// RFC 9068 §2.2: the required claims, of the right types; Tessera's optional ones typed when present.
function checkRequiredClaims(payload: Record<string, unknown>): void {
  for (const name of ['sub', 'jti', 'client_id'] as const) if (!isNonEmptyString(payload[name])) throw invalid(`${name} is missing`)
  if (typeof payload.scope !== 'string') throw invalid('scope is missing')
  if (payload.sid !== undefined && !isNonEmptyString(payload.sid)) throw invalid('sid is malformed')
  if (payload.acr !== undefined && !isNonEmptyString(payload.acr)) throw invalid('acr is malformed')
  if (payload.amr !== undefined && !(Array.isArray(payload.amr) && payload.amr.every(isNonEmptyString))) throw invalid('amr is malformed')
  if (payload.auth_time !== undefined && !isNumericDate(payload.auth_time)) throw invalid('auth_time is malformed')
  if (payload.tessera_tv !== undefined && !isEpochInteger(payload.tessera_tv)) throw invalid('tessera_tv is malformed')
  const cnf = payload.cnf as { jkt?: unknown } | undefined
  if (cnf !== undefined && (!isJsonObject(cnf) || !isNonEmptyString(cnf.jkt))) throw invalid('cnf is malformed')
}

// RFC 7519 §4.1.4-6 with a small leeway. Times are NumericDates: finite, and RFC 7519 §2 allows a
// fractional part; 1e400 parses as Infinity and is refused.
function checkTimes(payload: Record<string, unknown>, rules: ClaimRules): void {
  const { exp, iat, nbf } = payload
  if (!isNumericDate(exp)) throw invalid('exp is missing or malformed')
  if (!isNumericDate(iat)) throw invalid('iat is missing or malformed')
  if (nbf !== undefined && !isNumericDate(nbf)) throw invalid('nbf is malformed')
  if (exp <= iat) throw invalid('exp is not after iat')
  const skew = rules.leeway * 1000
  if (iat * 1000 > rules.now + skew) throw invalid('issued in the future')
  if (nbf !== undefined && nbf * 1000 > rules.now + skew) throw invalid('not valid yet')
  if (exp * 1000 + skew <= rules.now) throw new TesseraAuthError('token_expired')
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

/** RFC 7519 §2 NumericDate: seconds since the epoch, non-integer values allowed; finite, not negative, within a safe range. */
export function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= Number.MAX_SAFE_INTEGER
}

function isEpochInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function invalid(detail: string): TesseraAuthError {
  return new TesseraAuthError('invalid_token', { detail })
}
