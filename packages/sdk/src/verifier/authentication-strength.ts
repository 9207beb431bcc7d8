import { TesseraAuthError } from '../errors/tessera-auth-error.js'
import type { AuthContext } from './auth-context.js'

/**
 * Tessera's authentication context class references, weakest first (docs/architecture.md §3,
 * docs/sdk.md "Fresh or strong authentication for one route"): one factor; two factors; a
 * phishing-resistant authenticator (a WebAuthn credential with user verification).
 */
export const TESSERA_ACR_LEVELS = ['urn:tessera:acr:sfa', 'urn:tessera:acr:mfa', 'urn:tessera:acr:phr'] as const

/**
 * What a route demands of the authentication behind a token (RFC 9470 §3).
 *
 * @example
 * const payments: AuthenticationRequirement = { maxAge: 300, acr: 'urn:tessera:acr:mfa' }
 */
export interface AuthenticationRequirement {
  /** Seconds since the user last authenticated actively (`auth_time`); older tokens are refused. */
  maxAge?: number
  /**
   * Acceptable `acr` values. A token passes when its `acr` is one of them, or when both are
   * Tessera levels and the token's is at least as strong (an `…:phr` token satisfies `…:mfa`).
   */
  acr?: string | readonly string[]
}

/**
 * RFC 9470 §3: a token whose authentication is too old or too weak for this resource is refused
 * with `insufficient_user_authentication`, naming what would be enough so the client can send the
 * user back to the authorization server with `max_age` and `acr_values`. A token that does not say
 * when or how the user authenticated fails closed.
 */
export function checkAuthenticationStrength(
  context: AuthContext,
  requirement: AuthenticationRequirement,
  now: number,
  leewaySeconds: number,
): void {
  const acrValues = requirement.acr === undefined ? [] : typeof requirement.acr === 'string' ? [requirement.acr] : [...requirement.acr]
  const maxAge = requirement.maxAge
  if (maxAge === undefined && acrValues.length === 0) return
  const refuse = (detail: string) =>
    new TesseraAuthError('insufficient_user_authentication', {
      detail,
      acrValues,
      ...(maxAge !== undefined ? { maxAge } : {}),
    })
  if (maxAge !== undefined) {
    if (context.authTime === null) throw refuse('the token does not say when the user authenticated')
    if (now / 1000 - context.authTime > maxAge + leewaySeconds) throw refuse('the authentication is older than maxAge')
  }
  if (acrValues.length > 0 && !acrSatisfies(context.acr, acrValues)) throw refuse('the authentication is weaker than required')
}

function acrSatisfies(acr: string | null, acceptable: readonly string[]): boolean {
  if (acr === null) return false
  if (acceptable.includes(acr)) return true
  const rank = levelOf(acr)
  return rank >= 0 && acceptable.some((value) => levelOf(value) >= 0 && rank >= levelOf(value))
}

function levelOf(acr: string): number {
  return (TESSERA_ACR_LEVELS as readonly string[]).indexOf(acr)
}
