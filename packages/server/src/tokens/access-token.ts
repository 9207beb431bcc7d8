import type { Api } from '../apis/api.js'

/** What an access token says: who, for which API, with which scope, bound to what. */
export interface AccessTokenGrant {
  /** `sub`: the user, or the client itself for client credentials. */
  subject: string
  userId: string | null
  sessionId: string | null
  clientId: string
  api: Api
  scope: string[]
  authTime: number | null
  /** RFC 8176 methods of the session at issuance; null for machine tokens. */
  amr?: readonly string[] | null
  /** The user's token version at issuance (docs/architecture.md §2); null for machine tokens. */
  tokenVersion: number | null
  /** The refresh family it was issued with, so reuse detection can kill it too. */
  familyId: string | null
  /** Names of the subject's roles granting anything on the API; the `roles` claim, if the API wants it. */
  roles?: readonly string[]
  /** RFC 9449 §6: the thumbprint of the DPoP key the token is bound to (`cnf.jkt`), or none. */
  dpopJkt?: string | null
}

/**
 * A stored record of an issued access token: every opaque one, every encrypted one (`jwe`), and
 * every JWT issued with a refresh family.
 */
export interface AccessTokenRecord {
  jti: string
  format: 'jwt' | 'opaque' | 'jwe'
  secretHash: string | null
  familyId: string | null
  sessionId: string | null
  userId: string | null
  clientId: string
  api: string
  scope: string[]
  tokenVersion: number | null
  authTime: number | null
  createdAt: number
  expiresAt: number
  revokedAt: number | null
  /** The `roles` claim, for an API that asks for it (introspection returns it for opaque tokens). */
  roles?: string[] | null
  /** RFC 9449 `cnf.jkt`, for a DPoP-bound token. */
  dpopJkt?: string | null
  /** An encrypted token's SHA-256 as sent (base64url): Tessera cannot decrypt it, so it finds it by this. */
  tokenHash?: string | null
  /** The kid that signed an encrypted token's inner JWT, so a key revocation reaches it at introspection. */
  signingKid?: string | null
  /** RFC 8176 methods the token says (0026); null for machine tokens and older rows. */
  amr?: string[] | null
}

/** Private claim carrying the user's token version; `ver` and `tv` are taken by other specs' drafts. */
export const TOKEN_VERSION_CLAIM = 'tessera_tv'
