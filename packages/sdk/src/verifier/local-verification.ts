import { createVerifiedTokenCache } from '../cache/verified-token-cache.js'
import type { JwksCache } from '../jwks/jwks-cache.js'
import type { RevocableToken } from '../revocation/revocation-set.js'
import type { Clock } from '../shared/clock.js'
import type { JwtVerifier, VerifiedJwt } from '../tokens/jwt-verifier.js'
import type { TokenOpener } from '../tokens/token-decryption.js'
import { type AuthContext, authContextFromClaims } from './auth-context.js'

/** A locally verified token: what the caller sees, and what the revocation rules look at. */
export interface LocallyVerified {
  context: AuthContext
  revocable: RevocableToken
}

export interface LocalVerificationDeps {
  /** Decrypts an encrypted token (or refuses a signed-only one where encryption is required). */
  open: TokenOpener
  verifyJwt: JwtVerifier
  jwks: JwksCache
  clock: Clock
  /** Seconds. */
  leeway: number
  cacheSize: number
}

/**
 * Verify locally, through the verified-token cache: a hit costs a map lookup; a miss a full
 * strict verification (after decryption, for an encrypted token). A hit still requires the key to be published (a key removed from the JWKS
 * takes its cached tokens with it at the next JWKS refresh); revocations are the caller's.
 */
/** `now`: the verifier's clock reading of this request (ms), read once per request. */
export interface LocalVerification {
  (token: string, now: number): LocallyVerified | Promise<LocallyVerified>
  /** The cache hit alone (unexpired at `now`, its key still published), or undefined: no verification on a miss. */
  cached(token: string, now: number): LocallyVerified | undefined
}

export function createLocalVerification(deps: LocalVerificationDeps): LocalVerification {
  const cache = createVerifiedTokenCache<LocallyVerified>(deps.cacheSize)
  function cached(token: string, now: number): LocallyVerified | undefined {
    const hit = cache.get(token, now)
    return hit && deps.jwks.has(hit.revocable.kid) ? hit : undefined
  }
  // A hit is answered without a promise: it is most requests, and each await is a microtask turn.
  function verifyLocally(token: string, now: number): LocallyVerified | Promise<LocallyVerified> {
    return cached(token, now) ?? verifyFully(token)
  }
  verifyLocally.cached = cached
  return verifyLocally

  /**
   * A miss: decrypt if encrypted, verify, remember. Settles without a promise when neither step
   * needs one (a signed token whose key is already fetched): each await is a turn of the
   * microtask queue, and a cold verification is otherwise only CPU.
   */
  function verifyFully(token: string): LocallyVerified | Promise<LocallyVerified> {
    // A nested JWT is decrypted first, then its signed token verified (RFC 7519 §5.2); the cache
    // keeps the token as sent, so a hit skips both.
    const opened = deps.open(token)
    const verified = typeof opened === 'string' ? deps.verifyJwt(opened) : opened.then(deps.verifyJwt)
    return verified instanceof Promise ? verified.then((jwt) => remember(token, jwt)) : remember(token, verified)
  }

  function remember(token: string, { claims, kid }: VerifiedJwt): LocallyVerified {
    const verified: LocallyVerified = {
      context: authContextFromClaims(claims),
      revocable: {
        kid,
        jti: claims.jti,
        sub: claims.sub,
        clientId: claims.client_id,
        sid: claims.sid ?? null,
        tokenVersion: claims.tessera_tv ?? null,
        iat: claims.iat,
        // The claims are frozen by now (authContextFromClaims), an array `aud` with them.
        audiences: typeof claims.aud === 'string' ? [claims.aud] : claims.aud,
      },
    }
    cache.set(token, verified, (claims.exp + deps.leeway) * 1000)
    return verified
  }
}
