import { type CryptoKey, errors, importJWK, type JWTPayload, jwtVerify } from 'jose'
import type { KeyService } from '../keys/key-service.js'
import { SIGNING_ALGORITHMS } from '../keys/signing-key.js'
import type { Clock } from '../shared/clock.js'
import { TOKEN_VERSION_CLAIM } from './access-token.js'

export interface VerifiedAccessToken {
  jti: string
  kid: string
  sub: string
  aud: string
  clientId: string
  scope: string[]
  sid: string | null
  authTime: number | null
  tokenVersion: number | null
  iat: number
  exp: number
  /** RFC 9449 §6.1 `cnf.jkt`: the DPoP key the token is bound to, or null for a bearer token. */
  jkt: string | null
  /** RFC 8176 `amr` as issued (the authentication the token came from), or null when absent. */
  amr: string[] | null
}

/** Compact JWS, base64url without padding in every part, and a sane size: checked before jose. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const MAX_TOKEN_LENGTH = 8192

/**
 * Verifies an access token Tessera issued, strictly (RFC 8725, RFC 9068 §4): only our
 * published keys, only the allow-listed algorithms with the key's own alg, `typ` at+jwt, exact
 * issuer, and typed claims. jose alone accepts a future `iat`, a non-finite `exp` and
 * non-canonical base64url (docs/architecture.md §9), so those are checked here too. Returns null for any
 * token that is not valid now; never throws for bad input.
 */
export type AccessTokenVerifier = (token: string) => Promise<VerifiedAccessToken | null>

export function createAccessTokenVerifier(deps: { issuer: string; keys: KeyService; clock: Clock }): AccessTokenVerifier {
  const imported = new Map<string, Promise<CryptoKey | Uint8Array>>()

  return async function verify(token: string): Promise<VerifiedAccessToken | null> {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return null
    let kid = ''
    try {
      const { payload, protectedHeader } = await jwtVerify(
        token,
        async (header) => {
          // RFC 8725 §3.10: never follow key references from the token itself.
          if ('jku' in header || 'x5u' in header || 'jwk' in header || 'x5c' in header)
            throw new errors.JWSInvalid('key reference headers are refused')
          const key = header.kid ? await deps.keys.publishedKey(header.kid) : null
          if (!key || key.alg !== header.alg) throw new errors.JWKSNoMatchingKey()
          kid = key.kid
          let cached = imported.get(key.kid)
          if (!cached) {
            cached = importJWK(key.publicJwk, key.alg)
            imported.set(key.kid, cached)
          }
          return cached
        },
        { issuer: deps.issuer, typ: 'at+jwt', algorithms: [...SIGNING_ALGORITHMS], currentDate: new Date(deps.clock.now()) },
      )
      return typedClaims(payload, kid, deps.clock.now(), protectedHeader.typ)
    } catch {
      return null
    }
  }
}

function typedClaims(payload: JWTPayload, kid: string, now: number, typ: string | undefined): VerifiedAccessToken | null {
  const str = (value: unknown) => typeof value === 'string' && value.length > 0
  const int = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value)
  const claims = payload as Record<string, unknown>
  if (typ !== 'at+jwt') return null
  if (!str(payload.sub) || !str(payload.aud) || !str(payload.jti) || !str(claims.client_id) || typeof claims.scope !== 'string') return null
  if (!int(payload.exp) || !int(payload.iat)) return null
  // A token issued in the future (beyond a small leeway) is not ours.
  if ((payload.iat as number) * 1000 > now + 5000) return null
  if (claims.sid !== undefined && !str(claims.sid)) return null
  if (claims.auth_time !== undefined && !int(claims.auth_time)) return null
  if (claims[TOKEN_VERSION_CLAIM] !== undefined && !int(claims[TOKEN_VERSION_CLAIM])) return null
  const cnf = claims.cnf as { jkt?: unknown } | undefined
  if (cnf !== undefined && (typeof cnf !== 'object' || cnf === null || !str(cnf.jkt))) return null
  const amr = claims.amr
  if (amr !== undefined && !(Array.isArray(amr) && amr.every(str))) return null
  return {
    jti: payload.jti as string,
    kid,
    sub: payload.sub as string,
    aud: payload.aud as string,
    clientId: claims.client_id as string,
    scope: claims.scope === '' ? [] : (claims.scope as string).split(' '),
    sid: (claims.sid as string | undefined) ?? null,
    authTime: (claims.auth_time as number | undefined) ?? null,
    tokenVersion: (claims[TOKEN_VERSION_CLAIM] as number | undefined) ?? null,
    iat: payload.iat as number,
    exp: payload.exp as number,
    jkt: (cnf?.jkt as string | undefined) ?? null,
    amr: (amr as string[] | undefined) ?? null,
  }
}
