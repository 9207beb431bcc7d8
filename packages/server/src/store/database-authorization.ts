import type { Generated } from 'kysely'

/** An issued authorization code; only its SHA-256 is stored (0005-authorization). */
export interface AuthorizationCodesTable {
  id: string
  code_hash: string
  client_id: string
  session_id: string
  user_id: string
  redirect_uri: string
  /** The S256 PKCE challenge (RFC 7636 §4.2). */
  code_challenge: string
  nonce: string | null
  /** Space-separated. */
  scope: string
  resource: string | null
  auth_time: number
  created_at: number
  expires_at: number
  /** When it was redeemed; a second redemption is a replay. */
  used_at: number | null
  /** The token family issued at redemption, revoked when the code is replayed. */
  family_id: string | null
  /** RFC 9449 §10: the thumbprint of the DPoP key the code is bound to, or null (0025). */
  dpop_jkt: Generated<string | null>
  /** JSON array: the session's RFC 8176 methods when the code was issued; null in rows before 0026. */
  amr: Generated<string | null>
}

/** Scopes a user has allowed a third-party application (0005-authorization). */
export interface ConsentsTable {
  user_id: string
  client_id: string
  /** Space-separated. */
  scope: string
  updated_at: number
}
