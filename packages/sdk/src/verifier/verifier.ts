import type { SessionContext } from '../sessions/session-context.js'
import type { AuthContext } from './auth-context.js'
import type { AuthenticationRequirement } from './authentication-strength.js'
import type { VerificationMode } from './verifier-options.js'

/**
 * Per-call options of {@link Verifier.verify}.
 *
 * @example
 * await verifier.verify(token, { scopes: ['orders:read', 'orders:write'] })
 * await verifier.verify(token, { maxAge: 300, acr: 'urn:tessera:acr:mfa' }) // RFC 9470 step-up
 */
export interface VerifyOptions extends AuthenticationRequirement {
  /** Scopes the token must all hold; otherwise `insufficient_scope` (403). */
  scopes?: readonly string[]
}

/**
 * Verifies the tokens of one API. Create one per API at start-up and share it; `close()` it on
 * shutdown.
 *
 * @example
 * const verifier = createVerifier({ issuer, audience, mode: 'jwt' })
 * const auth = await verifier.verify(token, { scopes: ['orders:read'] })
 * console.log(auth.subject, auth.scopes)
 * await verifier.close()
 */
export interface Verifier {
  readonly issuer: string
  readonly audience: string
  readonly mode: VerificationMode
  /**
   * Verify an access token (the bearer token, without "Bearer ") and check its scopes. Throws a
   * {@link TesseraAuthError}; resolves to the caller's {@link AuthContext}.
   */
  verify(token: string, options?: VerifyOptions): Promise<AuthContext>
  /**
   * Ask Tessera whether a session token (bearer, or the session cookie's value) is live. In
   * every mode; staleness 0.
   */
  verifySession(sessionToken: string): Promise<SessionContext>
  /**
   * How stale the verifier's knowledge of revocations may be, in ms: in hybrid mode the time since
   * the feed's last event or heartbeat (Infinity before the first); 0 in session mode; Infinity
   * in jwt mode, which learns of no revocation before a token expires.
   */
  staleness(): number
  /**
   * Resolves once the verifier can answer from warm state: the endpoints discovered, the keys
   * fetched, and in hybrid mode the feed's first snapshot applied. Rejects with the reason
   * otherwise. Optional: `verify` waits by itself. Useful in a readiness probe.
   */
  ready(): Promise<void>
  /** End the feed (hybrid) and refuse further verification. */
  close(): Promise<void>
}
