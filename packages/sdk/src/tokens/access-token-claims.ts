/**
 * The claims of a Tessera access token (RFC 9068 §2.2, docs/tokens.md), after verification.
 * Session-bound tokens also carry `sid`, `auth_time` and `tessera_tv`; machine tokens (client
 * credentials) do not, and their `sub` is the client id.
 *
 * @example
 * function isMachineToken(claims: AccessTokenClaims): boolean {
 *   return claims.sid === undefined && claims.sub === claims.client_id
 * }
 */
export interface AccessTokenClaims {
  iss: string
  sub: string
  aud: string | string[]
  /** Seconds since the Unix epoch. */
  exp: number
  /** Seconds since the Unix epoch. */
  iat: number
  nbf?: number
  jti: string
  client_id: string
  /** Space-separated scopes (RFC 8693 §4.2). */
  scope: string
  /** The session the token is bound to. */
  sid?: string
  /** When the user authenticated, seconds since the Unix epoch. */
  auth_time?: number
  /** The authentication context class reached (RFC 9470 §6, OIDC Core §2). */
  acr?: string
  /** The authentication methods used (RFC 8176). */
  amr?: string[]
  /** The user's token version at issuance (docs/architecture.md §2). */
  tessera_tv?: number
  /** RFC 9449 §6: the DPoP key the token is bound to (its RFC 7638 thumbprint). */
  cnf?: { jkt: string }
  [claim: string]: unknown
}
