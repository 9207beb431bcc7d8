import { allowedWebOrigins } from './web-origin.js'

/** OAuth clients ("applications"): who may ask for tokens, and for what. */
export const APPLICATION_TYPES = ['web', 'spa', 'native', 'm2m', 'resource-server'] as const
export type ApplicationType = (typeof APPLICATION_TYPES)[number]

export const GRANT_TYPES = {
  authorization_code: 'authorization_code',
  refresh_token: 'refresh_token',
  client_credentials: 'client_credentials',
  token_exchange: 'urn:ietf:params:oauth:grant-type:token-exchange',
  /** RFC 8628 §3.4: the device authorization grant, for devices without a browser (CLIs, TVs). */
  device_code: 'urn:ietf:params:oauth:grant-type:device_code',
} as const
export type GrantType = (typeof GRANT_TYPES)[keyof typeof GRANT_TYPES]

/**
 * Which grants each type may hold. Public clients never get client credentials (RFC 6749 §4.4).
 * The device grant (RFC 8628) is for a device's own program: a native app or a server-side one,
 * never a page in a browser, which has the code flow.
 */
export const GRANTS_BY_TYPE: Record<ApplicationType, readonly GrantType[]> = {
  web: [GRANT_TYPES.authorization_code, GRANT_TYPES.refresh_token, GRANT_TYPES.token_exchange, GRANT_TYPES.device_code],
  spa: [GRANT_TYPES.authorization_code, GRANT_TYPES.refresh_token, GRANT_TYPES.token_exchange],
  native: [GRANT_TYPES.authorization_code, GRANT_TYPES.refresh_token, GRANT_TYPES.token_exchange, GRANT_TYPES.device_code],
  m2m: [GRANT_TYPES.client_credentials],
  'resource-server': [],
}

export function isConfidential(type: ApplicationType): boolean {
  return type === 'web' || type === 'm2m' || type === 'resource-server'
}

export interface Application {
  /** The OAuth client_id. */
  id: string
  name: string
  type: ApplicationType
  /** SHA-256 of the secret; null for public clients. */
  secretHash: string | null
  grants: GrantType[]
  redirectUris: string[]
  /** API identifiers (audiences) this client may get tokens for; for a resource server, its own API. */
  apis: string[]
  /** Scopes this client may be granted, across its APIs. */
  scopes: string[]
  /** Overrides of the API's access-token TTL and of the refresh-token idle TTL, in seconds. */
  accessTokenTtl: number | null
  refreshTokenTtl: number | null
  /** A first-party application skips the consent screen of the browser flow. */
  firstParty: boolean
  /** Where RP-initiated logout may send the browser back to; matched exactly. */
  postLogoutRedirectUris: string[]
  /**
   * Web origins whose pages may call the token, revocation and userinfo endpoints (CORS); null
   * for the default, the origins of a single-page app's redirect URIs (see web-origin.ts).
   */
  webOrigins: string[] | null
  /** Where logout tokens go when a session it received tokens for ends (OIDC Back-Channel Logout 1.0). */
  backchannelLogoutUri: string | null
  /** The relying party needs `sid` in logout tokens (Back-Channel Logout §2.2); Tessera always sends it. */
  backchannelLogoutSessionRequired: boolean
  /** RFC 9126 §6: authorization requests must be pushed first (`/oauth/par`). */
  requirePushedAuthorizationRequests?: boolean
  /** Every user signing in to this application must pass a second factor (docs/mfa.md "Policy"). */
  requireMfa: boolean
  createdAt: number
  updatedAt: number
}

/** The public view: never the secret nor its hash. */
export function presentApplication(app: Application) {
  return {
    clientId: app.id,
    name: app.name,
    type: app.type,
    grants: app.grants,
    redirectUris: app.redirectUris,
    apis: app.apis,
    scopes: app.scopes,
    accessTokenTtl: app.accessTokenTtl,
    refreshTokenTtl: app.refreshTokenTtl,
    firstParty: app.firstParty,
    postLogoutRedirectUris: app.postLogoutRedirectUris,
    /** What the operator set; null when the default applies. */
    webOrigins: app.webOrigins,
    /** The origins in force (CORS). */
    allowedWebOrigins: allowedWebOrigins(app),
    backchannelLogoutUri: app.backchannelLogoutUri,
    backchannelLogoutSessionRequired: app.backchannelLogoutSessionRequired,
    requirePushedAuthorizationRequests: app.requirePushedAuthorizationRequests === true,
    requireMfa: app.requireMfa,
    createdAt: new Date(app.createdAt).toISOString(),
  }
}
