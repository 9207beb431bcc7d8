import type { AuthContext } from './auth-context.js'
import type { Verifier, VerifyOptions } from './verifier.js'

/**
 * A verifier's answer for a token it already holds as verified (its verified-token cache), with
 * every per-request check done (expiry, key still published, revocations, the feed's freshness,
 * scopes, authentication strength); undefined when the token is not such a hit.
 *
 * Only a token that passed strict verification is ever cached, and that is a compact JWS or JWE:
 * base64url parts and dots. So `Bearer ` + a hit is a header RFC 6750 §2.1 accepts, and the
 * adapters may skip the header's syntax scan for it (docs/architecture.md §9, SDK rows).
 */
export type CachedVerification = (token: string, options: VerifyOptions) => AuthContext | Promise<AuthContext> | undefined

/** Kept beside the verifier, not on it: a user's own `BearerVerifier` has none, and takes the full path. */
const cachedVerifications = new WeakMap<object, CachedVerification>()

export function registerCachedVerification(verifier: Verifier, cached: CachedVerification): void {
  cachedVerifications.set(verifier, cached)
}

export function cachedVerificationOf(verifier: object): CachedVerification | undefined {
  return cachedVerifications.get(verifier)
}
