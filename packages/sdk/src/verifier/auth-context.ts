import type { AccessTokenClaims } from '../tokens/access-token-claims.js'

/**
 * Who is calling, as a verified access token says. Frozen: a cached token hands every request the
 * same object.
 *
 * @example
 * const auth: AuthContext = await verifier.verify(token)
 * if (auth.sessionId === null) console.log(`machine client ${auth.clientId}`)
 * else console.log(`user ${auth.subject}, session ${auth.sessionId}, scopes ${auth.scopes.join(' ')}`)
 */
export interface AuthContext {
  /** `sub`: the user, or for client-credentials tokens the client itself. */
  readonly subject: string
  /** `sid`: the session the token is bound to; null for machine tokens. */
  readonly sessionId: string | null
  /** `client_id`: the application the token was issued to. */
  readonly clientId: string
  /** `scope`, split. */
  readonly scopes: readonly string[]
  /** Every claim (from the JWT, or from the introspection answer in session mode). */
  readonly claims: Readonly<AccessTokenClaims>
  /** `tessera_tv`: the user's token version at issuance; null when absent. */
  readonly tokenVersion: number | null
  /** `auth_time`: when the user last authenticated actively, seconds since the epoch; null for machine tokens. */
  readonly authTime: number | null
  /** `acr`: the authentication context class reached (RFC 9470 §6), or null. */
  readonly acr: string | null
  /** `amr`: the authentication methods used (RFC 8176), empty when absent. */
  readonly amr: readonly string[]
}

/** `amr` when the token carries none: one frozen empty list for every context. */
const NO_METHODS: readonly string[] = Object.freeze([])

/** Build the frozen context of verified claims. */
export function authContextFromClaims(claims: AccessTokenClaims): AuthContext {
  deepFreeze(claims)
  return Object.freeze({
    subject: claims.sub,
    sessionId: claims.sid ?? null,
    clientId: claims.client_id,
    scopes: Object.freeze(claims.scope.split(' ').filter((scope) => scope.length > 0)),
    claims,
    tokenVersion: claims.tessera_tv ?? null,
    authTime: claims.auth_time ?? null,
    acr: claims.acr ?? null,
    amr: claims.amr ?? NO_METHODS,
  })
}

/** Freeze a JSON value and everything in it, descending only into what is not frozen yet. */
function deepFreeze(value: object): void {
  Object.freeze(value)
  for (const member of Object.values(value)) {
    if (typeof member === 'object' && member !== null && !Object.isFrozen(member)) deepFreeze(member)
  }
}
