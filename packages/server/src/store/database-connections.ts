/** Upstream identity providers (issue 15, migration 0015-connections). */
export interface ConnectionsTable {
  id: string
  /** `oidc` (discovery, ID token) or `oauth2` (a user endpoint mapped to a profile). */
  type: 'oidc' | 'oauth2'
  /** `google`, `microsoft`, `github`, `gitlab`, or null for a generic connection. */
  preset: string | null
  /** Shown on the sign-in page: "Continue with {name}". */
  name: string
  icon_url: string | null
  /** OIDC: the issuer whose discovery document names the endpoints. */
  issuer: string | null
  authorization_endpoint: string | null
  token_endpoint: string | null
  userinfo_endpoint: string | null
  /** GitHub-like providers: where the verified addresses are listed. */
  emails_endpoint: string | null
  /** JSON: which field of the user endpoint's answer is the subject, the email, its verification. */
  user_mapping: string
  client_id: string
  /** AES-256-GCM under a subkey of the master key, bound to the row id; null for a public client. */
  client_secret_sealed: string | null
  /** 0028: the private JWK of `private_key_jwt`, sealed like the secret; null when the connection has none. */
  private_key_sealed: string | null
  /** JSON array of scopes asked for. */
  scopes: string
  /** JSON array of application ids that show it; null for every application. */
  applications: string | null
  /** 1 when a first sign-in with an unknown upstream user may create an account. */
  allow_sign_up: number
  /** JSON array of hosts besides the issuer's that the upstream's endpoints may be on. */
  allowed_hosts: string
  /** 1 for http and private addresses (development only; refused in production). */
  allow_insecure_development: number
  enabled: number
  created_at: number
  updated_at: number
}

/** An upstream user linked to an account: one per (connection, upstream subject). */
export interface IdentitiesTable {
  id: string
  connection_id: string
  subject: string
  user_id: string
  /** The upstream's address when it was linked, for display only; never used to find the identity. */
  email: string | null
  created_at: number
  last_used_at: number | null
}
