import { acrOf } from '../sessions/session-acr.js'
import { TOKEN_VERSION_CLAIM } from './access-token.js'

/** An access token that passed every check, in one shape for both formats (times in seconds). */
export interface ActiveAccessToken {
  format: 'jwt' | 'opaque' | 'jwe'
  sub: string
  aud: string
  clientId: string
  scope: string[]
  exp: number
  iat: number
  jti: string
  sid: string | null
  authTime: number | null
  tokenVersion: number | null
  /** The `roles` claim of an opaque token whose API asks for it; null otherwise. */
  roles: string[] | null
  /** RFC 8176 methods of the token's session (RFC 9470 §6 `acr` is derived from them); null without a session. */
  amr: readonly string[] | null
  /** RFC 9449 `cnf.jkt` of a DPoP-bound token, or null. */
  jkt: string | null
}

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>)

/** RFC 7662 §2.2: an inactive token is `{"active": false}` and nothing more. */
export const INACTIVE: IntrospectionResponse = Object.freeze({ active: false })

/**
 * The RFC 7662 answers of active access tokens (tokens/introspection-service.ts). A frozen
 * ActiveAccessToken, a cached row's, keeps its answer, frozen, so the same row is answered by the
 * same object (issue 17).
 */
export function activeResponses(issuer: string): (access: ActiveAccessToken) => IntrospectionResponse {
  const responses = new WeakMap<ActiveAccessToken, IntrospectionResponse>()
  /**
   * The RFC 7662 answer for an active access token. Optional members are assigned in order rather
   * than spread from temporary objects (one object per answer, issue 17); the members and their
   * order are as before.
   */
  return (access: ActiveAccessToken): IntrospectionResponse => {
    const held = responses.get(access)
    if (held !== undefined) return held
    const response: { active: true } & Record<string, unknown> = {
      active: true,
      iss: issuer,
      sub: access.sub,
      aud: access.aud,
      client_id: access.clientId,
      scope: access.scope.join(' '),
      // RFC 9449 §6.2: a bound token says so, and names its key.
      token_type: access.jkt ? 'DPoP' : 'Bearer',
    }
    if (access.jkt) response.cnf = { jkt: access.jkt }
    response.exp = access.exp
    response.iat = access.iat
    response.jti = access.jti
    if (access.sid) response.sid = access.sid
    if (access.authTime !== null) response.auth_time = access.authTime
    // RFC 9470 §6 and RFC 8176: how the session behind the token was authenticated.
    if (access.amr !== null) {
      response.acr = acrOf(access.amr)
      response.amr = [...access.amr]
    }
    if (access.tokenVersion !== null) response[TOKEN_VERSION_CLAIM] = access.tokenVersion
    // RFC 9068 §7.2.1.1 `roles`, as the JWT of an API that asks for it would carry.
    if (access.roles !== null) response.roles = access.roles
    // A frozen ActiveAccessToken is a cached row's (activeRecord): its answer is kept, frozen, with it.
    if (Object.isFrozen(access)) {
      if (response.cnf) Object.freeze(response.cnf)
      if (response.amr) Object.freeze(response.amr)
      responses.set(access, Object.freeze(response))
    }
    return response
  }
}
