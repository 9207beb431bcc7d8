import { Type } from '@sinclair/typebox'
import { APPLICATION_TYPES } from '../applications/application.js'
import { NextCursor } from './admin-page.js'
import { ClientId, closed, Name, Permission, Timestamp } from './admin-schemas.js'

const Grants = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  maxItems: 8,
  description:
    'authorization_code, refresh_token, client_credentials, token_exchange, device_code (the RFC 8693 and RFC 8628 URNs also work).',
})
const RedirectUris = Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { maxItems: 20, description: 'Exact redirect URIs.' })
const Apis = Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 50, description: 'API identifiers (audiences).' })
const Scopes = Type.Array(Permission, { maxItems: 200 })
const AccessTtl = Type.Integer({ minimum: 30, maximum: 86_400, description: "Override of the API's access-token TTL, seconds." })
const RefreshTtl = Type.Integer({ minimum: 30, maximum: 31_536_000, description: 'Override of the refresh-token idle TTL, seconds.' })
const PostLogoutRedirectUris = Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), {
  maxItems: 20,
  description: 'Exact URIs RP-initiated logout may send the browser back to.',
})
const RequireMfa = Type.Boolean({
  description: 'Every user signing in to this application must pass a second factor, enrolling one if they have none (docs/mfa.md).',
})
const FirstParty = Type.Boolean({ description: 'A first-party application: the browser flow skips the consent screen.' })
const WebOrigins = Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
  maxItems: 20,
  description:
    "Origins (scheme://host[:port], https or loopback http) whose pages may call the token, revocation and userinfo endpoints (CORS). By default a spa's redirect URIs' origins; none for web and native.",
})
const BackchannelLogoutUri = Type.String({
  minLength: 1,
  maxLength: 2048,
  description:
    'OIDC Back-Channel Logout 1.0: where a logout token is POSTed when a session the application received tokens for ends (https, or loopback http).',
})
const BackchannelLogoutSessionRequired = Type.Boolean({ description: 'The application needs sid in logout tokens (always sent).' })
const Type_ = Type.Union(
  APPLICATION_TYPES.map((type) => Type.Literal(type)),
  { description: 'What kind of client.' },
)

const RequirePar = Type.Boolean({ description: 'Refuse authorization requests not pushed to /oauth/par first (RFC 9126 §6).' })

export const ApplicationView = Type.Object({
  clientId: Type.String(),
  name: Type.String(),
  type: Type_,
  grants: Type.Array(Type.String()),
  redirectUris: Type.Array(Type.String()),
  apis: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  accessTokenTtl: Type.Union([Type.Integer(), Type.Null()]),
  refreshTokenTtl: Type.Union([Type.Integer(), Type.Null()]),
  firstParty: Type.Boolean(),
  postLogoutRedirectUris: Type.Array(Type.String()),
  webOrigins: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'What was set; null when the default applies.' }),
  allowedWebOrigins: Type.Array(Type.String(), { description: 'The web origins in force.' }),
  backchannelLogoutUri: Type.Union([Type.String(), Type.Null()]),
  backchannelLogoutSessionRequired: Type.Boolean(),
  requirePushedAuthorizationRequests: Type.Boolean({
    description: 'Authorization requests must be pushed to /oauth/par first (RFC 9126).',
  }),
  requireMfa: Type.Boolean(),
  createdAt: Timestamp,
})

export const ApplicationParams = closed({ clientId: ClientId })
export const ApplicationBody = Type.Object({ application: ApplicationView })
export const ApplicationList = Type.Object({ applications: Type.Array(ApplicationView), nextCursor: NextCursor })

export const NewApplicationBody = closed({
  name: Name,
  type: Type_,
  grants: Type.Optional(Grants),
  redirectUris: Type.Optional(RedirectUris),
  apis: Type.Optional(Apis),
  scopes: Type.Optional(Scopes),
  accessTokenTtl: Type.Optional(AccessTtl),
  refreshTokenTtl: Type.Optional(RefreshTtl),
  firstParty: Type.Optional(FirstParty),
  postLogoutRedirectUris: Type.Optional(PostLogoutRedirectUris),
  webOrigins: Type.Optional(WebOrigins),
  backchannelLogoutUri: Type.Optional(BackchannelLogoutUri),
  backchannelLogoutSessionRequired: Type.Optional(BackchannelLogoutSessionRequired),
  requirePushedAuthorizationRequests: Type.Optional(RequirePar),
  requireMfa: Type.Optional(RequireMfa),
})

export const ApplicationChangesBody = Type.Object(
  {
    name: Type.Optional(Name),
    grants: Type.Optional(Grants),
    redirectUris: Type.Optional(RedirectUris),
    apis: Type.Optional(Apis),
    scopes: Type.Optional(Scopes),
    accessTokenTtl: Type.Optional(Type.Union([AccessTtl, Type.Null()])),
    refreshTokenTtl: Type.Optional(Type.Union([RefreshTtl, Type.Null()])),
    firstParty: Type.Optional(FirstParty),
    postLogoutRedirectUris: Type.Optional(PostLogoutRedirectUris),
    webOrigins: Type.Optional(Type.Union([WebOrigins, Type.Null()], { description: 'null returns to the default.' })),
    backchannelLogoutUri: Type.Optional(Type.Union([BackchannelLogoutUri, Type.Null()], { description: 'null removes it.' })),
    backchannelLogoutSessionRequired: Type.Optional(BackchannelLogoutSessionRequired),
    requirePushedAuthorizationRequests: Type.Optional(RequirePar),
    requireMfa: Type.Optional(RequireMfa),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const CreatedApplication = Type.Object({
  clientId: Type.String(),
  clientSecret: Type.Optional(Type.String({ description: 'Confidential types only; shown once.' })),
  application: ApplicationView,
})
export const RotatedSecret = Type.Object({ clientId: Type.String(), clientSecret: Type.String({ description: 'Shown once.' }) })
