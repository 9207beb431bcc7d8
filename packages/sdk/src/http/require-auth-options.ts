import type { Clock } from '../shared/clock.js'
import type { AuthenticationRequirement } from '../verifier/authentication-strength.js'
import type { Verifier } from '../verifier/verifier.js'

/**
 * Options of every framework's `requireAuth`.
 *
 * @example
 * const options: RequireAuthOptions = { scopes: ['orders:read'], realm: 'orders' }
 * // A payment route: the user must have authenticated with two factors in the last 5 minutes.
 * const payments: RequireAuthOptions = { scopes: ['payments:write'], maxAge: 300, acr: 'urn:tessera:acr:mfa' }
 */
export interface RequireAuthOptions extends AuthenticationRequirement {
  /** Scopes the token must all hold; otherwise 403 `insufficient_scope`. */
  scopes?: readonly string[]
  /** The `realm` of the `WWW-Authenticate` challenge; defaults to the verifier's audience. */
  realm?: string
  /**
   * DPoP (RFC 9449): `'allowed'` (the default) takes bearer tokens and DPoP-bound tokens, the
   * latter only as `Authorization: DPoP` with a proof of their key; `'required'` refuses any token
   * that is not DPoP-bound.
   */
  dpop?: 'allowed' | 'required'
  /**
   * The origin clients call this server at (`https://api.example.com`), which DPoP proofs name in
   * `htu`; by default the request's own protocol and Host. Set it behind a proxy that rewrites them.
   */
  publicOrigin?: string
  /** Time for the DPoP proof's `iat` window; the wall clock by default. */
  clock?: Clock
}

/**
 * What the adapters need of a verifier: a real {@link Verifier}, or a stand-in in tests.
 *
 * @example
 * const stub: BearerVerifier = { audience: 'https://api.example.com', verify: async () => context }
 */
export type BearerVerifier = Pick<Verifier, 'verify' | 'audience'>
