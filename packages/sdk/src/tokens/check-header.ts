import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import { ASYMMETRIC_ALGORITHMS } from '../jwks/signing-algorithms.js'

/** What the verifier takes from a protected header that passed {@link checkHeader}. */
export interface CheckedHeader {
  alg: string
  kid: string
}

const KEY_REFERENCES = ['jku', 'x5u', 'jwk', 'x5c'] as const
const MAX_KID_LENGTH = 256

/**
 * The header rules, in order. Every failure is `invalid_token`: an unverified token learns nothing
 * more specific.
 */
export function checkHeader(header: Record<string, unknown>): CheckedHeader {
  // RFC 8725 §3.10: keys come from our issuer's JWKS only, never from the token itself.
  for (const name of KEY_REFERENCES) if (name in header) throw invalid(`the header names a key (${name})`)
  // RFC 7515 §4.1.11: Tessera's tokens use no critical extensions (nor b64: false, RFC 7797).
  if ('crit' in header || 'b64' in header) throw invalid('unsupported critical header')
  // RFC 8725 §3.1: an allow-list of asymmetric algorithms, compared exactly (so "none" in any case fails).
  if (typeof header.alg !== 'string' || !ASYMMETRIC_ALGORITHMS.has(header.alg)) throw invalid('algorithm not allowed')
  // RFC 9068 §4: typ must be at+jwt (media types are case-insensitive; "application/" is optional).
  if (typeof header.typ !== 'string' || header.typ.toLowerCase().replace(/^application\//, '') !== 'at+jwt') {
    throw invalid('typ is not at+jwt')
  }
  // Tessera's JWKS names every key, so a token must name one.
  if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > MAX_KID_LENGTH) throw invalid('no usable kid')
  return { alg: header.alg, kid: header.kid }
}

function invalid(detail: string): TesseraAuthError {
  return new TesseraAuthError('invalid_token', { detail })
}
