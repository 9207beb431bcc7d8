/**
 * An upstream identity provider users may sign in with (issue 15): a generic OpenID Connect
 * provider found through its discovery document, or a plain OAuth 2.0 provider whose user endpoint
 * is mapped to a profile. Presets (presets.ts) fill in the endpoints of well-known providers.
 */
export type ConnectionType = 'oidc' | 'oauth2'

/** Which fields of an OAuth 2.0 user endpoint's answer make the profile (dotted paths). */
export interface UserMapping {
  subject: string
  email?: string
  /** A boolean field; anything but the JSON value `true` counts as unverified. */
  emailVerified?: string
  name?: string
}

export interface Connection {
  /** `con_` and 128 random bits. */
  id: string
  type: ConnectionType
  preset: string | null
  name: string
  iconUrl: string | null
  issuer: string | null
  authorizationEndpoint: string | null
  tokenEndpoint: string | null
  userinfoEndpoint: string | null
  /** GitHub: the endpoint listing the user's addresses; only a verified primary one is used. */
  emailsEndpoint: string | null
  userMapping: UserMapping
  clientId: string
  /** Sealed (connection-secret-box.ts); never leaves the server. */
  clientSecretSealed: string | null
  /**
   * The private JWK (ES256) of `private_key_jwt` (RFC 7523 §2.2), sealed like the secret; a
   * connection holds a key or a secret, never both (connection-service.ts).
   */
  privateKeySealed: string | null
  scopes: string[]
  /** The applications that show it; null for every application (the default). */
  applications: string[] | null
  /** Whether a first sign-in with an unknown upstream user creates an account. */
  allowSignUp: boolean
  /** Hosts besides the issuer's that the upstream's endpoints may be on (an operator's decision). */
  allowedHosts: string[]
  /** http and private addresses, for development; refused in production. */
  allowInsecureDevelopment: boolean
  enabled: boolean
  createdAt: number
  updatedAt: number
}

/** Where the public key of a connection's `private_key_jwt` is published (flows/connection-jwks-routes.ts). */
export function jwksUriOf(issuer: string, connectionId: string): string {
  return `${issuer.replace(/\/$/, '')}/oauth/connections/${connectionId}/jwks`
}

/** The callback to register at the upstream for this connection. */
export function redirectUriOf(issuer: string, connectionId: string): string {
  return `${issuer.replace(/\/$/, '')}/oauth/callback/${connectionId}`
}

/** Whether the connection is offered to an application's users. */
export function shownFor(connection: Connection, clientId: string | null): boolean {
  if (!connection.enabled) return false
  return connection.applications === null || (clientId !== null && connection.applications.includes(clientId))
}

/** The public view of a connection in the admin API and the CLI: never its secret. */
export function presentConnection(connection: Connection, issuer: string) {
  return {
    id: connection.id,
    type: connection.type,
    preset: connection.preset,
    name: connection.name,
    iconUrl: connection.iconUrl,
    issuer: connection.issuer,
    authorizationEndpoint: connection.authorizationEndpoint,
    tokenEndpoint: connection.tokenEndpoint,
    userinfoEndpoint: connection.userinfoEndpoint,
    emailsEndpoint: connection.emailsEndpoint,
    userMapping: connection.userMapping,
    clientId: connection.clientId,
    hasClientSecret: connection.clientSecretSealed !== null,
    /** How Tessera authenticates at the upstream's token endpoint. */
    clientAuthentication:
      connection.privateKeySealed !== null ? 'private_key_jwt' : connection.clientSecretSealed !== null ? 'client_secret' : 'none',
    /** `private_key_jwt`: the public keys to register at the upstream (or give it this URL). */
    jwksUri: connection.privateKeySealed !== null ? jwksUriOf(issuer, connection.id) : null,
    scopes: connection.scopes,
    applications: connection.applications,
    allowSignUp: connection.allowSignUp,
    allowedHosts: connection.allowedHosts,
    allowInsecureDevelopment: connection.allowInsecureDevelopment,
    enabled: connection.enabled,
    redirectUri: redirectUriOf(issuer, connection.id),
    createdAt: new Date(connection.createdAt).toISOString(),
    updatedAt: new Date(connection.updatedAt).toISOString(),
  }
}

/** An upstream user as the upstream vouched for them, after every check. */
export interface UpstreamProfile {
  connectionId: string
  /** The upstream's stable identifier (OIDC `sub`); the only thing that identifies the user. */
  subject: string
  email: string | null
  /** True only when the upstream said so with the JSON boolean `true` (a string "true" is not). */
  emailVerified: boolean
  name: string | null
}

/** A link between an account and an upstream user. */
export interface Identity {
  id: string
  connectionId: string
  subject: string
  userId: string
  email: string | null
  createdAt: number
  lastUsedAt: number | null
}
