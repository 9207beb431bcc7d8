import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { JwksCache } from '../jwks/jwks-cache.js'
import type { Clock } from '../shared/clock.js'
import type { AccessTokenClaims } from './access-token-claims.js'
import { checkClaims } from './check-claims.js'
import { checkHeader } from './check-header.js'
import { parseCompactJws } from './compact-jws.js'

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/** An access token whose form, header, signature and claims all passed. */
export interface VerifiedJwt {
  claims: AccessTokenClaims
  /** The header `kid`: key revocations name it. */
  kid: string
}

export interface JwtVerifierDeps {
  issuer: string
  audience: string
  clock: Clock
  /** Seconds. */
  leeway: number
  jwks: JwksCache
}

/** Verify one access token strictly; throws a `TesseraAuthError`. */
export type JwtVerifier = (token: string) => Promise<VerifiedJwt>

/**
 * Strict RFC 9068 / RFC 8725 verification: the compact form and size first, then the header
 * rules, then the signature with the published key the `kid` names and only that key's `alg`,
 * then the claims.
 */
export function createJwtVerifier(deps: JwtVerifierDeps): JwtVerifier {
  return async function verifyJwt(token) {
    const jws = parseCompactJws(token)
    if (!jws) throw new TesseraAuthError('invalid_token', { detail: 'not a compact JWS' })
    const { alg, kid } = checkHeader(jws.header)
    const key = await deps.jwks.find(kid)
    if (!key) throw new TesseraAuthError('invalid_token', { detail: 'unknown kid' })
    // RFC 8725 §3.1: the key's own algorithm, so HS256 "signed" with a public key never reaches a MAC.
    if (key.alg !== alg) throw new TesseraAuthError('invalid_token', { detail: 'algorithm does not match the key' })
    // The form was checked above (canonical base64url, three parts), so the parts decode exactly.
    if (!key.verify(Buffer.from(jws.signingInput, 'ascii'), Buffer.from(jws.signaturePart, 'base64url')))
      throw new TesseraAuthError('invalid_token', { detail: 'bad signature' })
    let parsed: unknown
    try {
      parsed = JSON.parse(UTF8.decode(Buffer.from(jws.payloadPart, 'base64url')))
    } catch {
      throw new TesseraAuthError('invalid_token', { detail: 'the payload is not JSON' })
    }
    const claims = checkClaims(parsed, { issuer: deps.issuer, audience: deps.audience, now: deps.clock.now(), leeway: deps.leeway })
    return { claims, kid }
  }
}
