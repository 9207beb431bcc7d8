import type { Generated } from 'kysely'

// Literal unions, not imports: store/ depends on no domain. The domain types (keys/signing-key.ts,
// apis/api.ts, applications/application.ts) are checked against these where their stores map rows.

export interface SigningKeysTable {
  kid: string
  alg: 'ES256' | 'EdDSA' | 'RS256' | 'PS256'
  state: 'next' | 'active' | 'retired' | 'removed' | 'revoked'
  public_jwk: string
  encrypted_private_key: string
  created_at: number
  activates_at: number | null
  retired_at: number | null
  remove_after: number | null
  revoked_at: number | null
}

export interface ApisTable {
  id: string
  identifier: string
  name: string
  mode: 'session' | 'jwt' | 'hybrid'
  access_token_ttl: number
  /** JSON array of scope names. */
  scopes: string
  /** 1: access tokens carry a `roles` claim (RBAC). */
  roles_claim: Generated<number>
  /** 1: tokens for it must be DPoP-bound (RFC 9449, 0021). */
  require_dpop: Generated<number>
  /** The public JWK its access tokens are encrypted to (JWE, 0025), or null. */
  encryption_key: Generated<string | null>
  created_at: number
  updated_at: number
}

export interface ApplicationsTable {
  id: string
  name: string
  type: 'web' | 'spa' | 'native' | 'm2m' | 'resource-server'
  secret_hash: string | null
  /** JSON arrays. */
  grants: string
  redirect_uris: string
  apis: string
  scopes: string
  access_token_ttl: number | null
  refresh_token_ttl: number | null
  /** 1 for a first-party application (no consent screen), 0 otherwise (0005-authorization). */
  first_party: number
  /** JSON array of exact post-logout redirect URIs (0005-authorization). */
  post_logout_redirect_uris: string
  /** JSON array of the web origins an operator set; null for the default (0010-web-origins). */
  web_origins: string | null
  /** OIDC Back-Channel Logout 1.0 (0012-backchannel). */
  backchannel_logout_uri: string | null
  backchannel_logout_session_required: number
  /** RFC 9126 §6: 1 when the client must push its authorization requests (0020). */
  require_pushed_authorization_requests: Generated<number>
  /** docs/mfa.md "Policy" (0017-require-mfa). */
  require_mfa: Generated<number>
  created_at: number
  updated_at: number
}

/** The web origins in force for each application, kept by the application store (0010-web-origins). */
export interface ApplicationWebOriginsTable {
  origin: string
  client_id: string
}

export interface RefreshTokensTable {
  id: string
  family_id: string
  parent_id: string | null
  session_id: string
  user_id: string
  client_id: string
  api: string
  /** Space-separated. */
  scope: string
  secret_hash: string
  auth_time: number
  created_at: number
  expires_at: number
  family_expires_at: number
  used_at: number | null
  revoked_at: number | null
  /** Space-separated OpenID scopes of the grant (OIDC Core §12.2); null without `openid`. */
  id_token_scope: string | null
  /** RFC 9449: the thumbprint of the DPoP key the family is bound to (public clients), or null (0021). */
  dpop_jkt: Generated<string | null>
  /** JSON array: the RFC 8176 methods of the authentication the family came from; null before 0026. */
  amr: Generated<string | null>
}

export interface AccessTokensTable {
  jti: string
  format: 'jwt' | 'opaque' | 'jwe'
  secret_hash: string | null
  family_id: string | null
  session_id: string | null
  user_id: string | null
  client_id: string
  api: string
  scope: string
  token_version: number | null
  auth_time: number | null
  created_at: number
  expires_at: number
  revoked_at: number | null
  /** Space-separated role names when the API asks for the `roles` claim (0019); null otherwise. */
  roles: string | null
  /** RFC 9449 `cnf.jkt` of a DPoP-bound token, or null (0021). */
  dpop_jkt: Generated<string | null>
  /** An encrypted token's SHA-256 as sent, base64url: how it is found without decrypting it (0025). */
  token_hash: Generated<string | null>
  /** The kid that signed an encrypted token's inner JWT (0025). */
  signing_kid: Generated<string | null>
  /** JSON array: the RFC 8176 methods the token says; null for machine tokens and rows before 0026. */
  amr: Generated<string | null>
}

/** Which relying parties received tokens for which session (0012-backchannel). */
export interface SessionRelyingPartiesTable {
  session_id: string
  client_id: string
  user_id: string
  created_at: number
}

/** Logout tokens to deliver (0012-backchannel). */
export interface BackchannelLogoutsTable {
  id: string
  client_id: string
  session_id: string
  user_id: string
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  next_attempt_at: number | null
  lease_until: number | null
  last_error: string | null
  last_status: number | null
  created_at: number
  updated_at: number
}

/** How far into the event outbox back-channel logout has read (0012-backchannel). */
export interface BackchannelCursorTable {
  id: number
  outbox_seq: number
  updated_at: number
}
