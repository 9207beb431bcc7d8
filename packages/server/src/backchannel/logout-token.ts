import type { Signer } from '../keys/key-service.js'

/** OIDC Back-Channel Logout 1.0 §2.4: the member of `events` that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout'

/** A logout token is checked on arrival; two minutes covers clock skew and a slow receiver. */
export const LOGOUT_TOKEN_TTL_SECONDS = 120

export interface LogoutTokenInput {
  issuer: string
  clientId: string
  sub: string
  sid: string
  jti: string
  /** Seconds. */
  iat: number
}

/**
 * §2.4: iss, aud, iat, exp, jti, events, and sub and sid (Tessera always knows both, so it sends
 * both, which also satisfies `backchannel_logout_session_required`). Never a nonce (§2.4: a
 * logout token with one must be refused, so that an ID token cannot pass for one).
 */
export function logoutTokenClaims(input: LogoutTokenInput): Record<string, unknown> {
  return {
    iss: input.issuer,
    aud: input.clientId,
    iat: input.iat,
    exp: input.iat + LOGOUT_TOKEN_TTL_SECONDS,
    jti: input.jti,
    sub: input.sub,
    sid: input.sid,
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  }
}

/** §2.4: signed like an ID token, with the explicit type `logout+jwt` (RFC 8725 §3.11). */
export function signLogoutToken(signer: Signer, input: LogoutTokenInput): Promise<string> {
  return signer.sign('logout+jwt', logoutTokenClaims(input))
}
