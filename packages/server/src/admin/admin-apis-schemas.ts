import { Type } from '@sinclair/typebox'
import { VERIFICATION_MODES } from '../apis/api.js'
import { NextCursor } from './admin-page.js'
import { ApiId, closed, Name, Permission, Timestamp } from './admin-schemas.js'

const Mode = Type.Union(
  VERIFICATION_MODES.map((mode) => Type.Literal(mode)),
  { description: 'How resource servers verify its tokens (docs/verification-modes.md).' },
)
const Ttl = Type.Integer({
  minimum: 30,
  maximum: 86_400,
  description: 'Access-token lifetime, seconds (at most tokens.maxAccessTokenTtl).',
})

const RolesClaim = Type.Boolean({ description: 'Put a `roles` claim in its access tokens (default false).' })

export const ApiView = Type.Object({
  id: Type.String(),
  identifier: Type.String(),
  name: Type.String(),
  mode: Mode,
  accessTokenTtl: Type.Integer(),
  scopes: Type.Array(Type.String()),
  rolesClaim: Type.Boolean({ description: 'Its access tokens carry a `roles` claim.' }),
  requireDpop: Type.Boolean({ description: 'It accepts DPoP-bound tokens only (RFC 9449).' }),
  createdAt: Timestamp,
})

export const ApiParams = closed({ apiId: ApiId })
export const ApiPermissionParams = closed({ apiId: ApiId, permission: Permission })
export const ApiBody = Type.Object({ api: ApiView })
export const ApiList = Type.Object({ apis: Type.Array(ApiView), nextCursor: NextCursor })

const RequireDpop = Type.Boolean({ description: 'Issue it DPoP-bound tokens only (RFC 9449); Bearer requests are refused.' })

export const NewApiBody = closed({
  identifier: Type.String({ minLength: 1, maxLength: 512, description: 'Absolute URI: the audience of its tokens (RFC 8707).' }),
  name: Name,
  mode: Mode,
  scopes: Type.Optional(Type.Array(Permission, { maxItems: 200, description: 'Permissions the API defines.' })),
  accessTokenTtl: Type.Optional(Ttl),
  rolesClaim: Type.Optional(RolesClaim),
  requireDpop: Type.Optional(RequireDpop),
})

export const ApiChangesBody = Type.Object(
  {
    name: Type.Optional(Name),
    mode: Type.Optional(Mode),
    accessTokenTtl: Type.Optional(Ttl),
    rolesClaim: Type.Optional(RolesClaim),
    requireDpop: Type.Optional(RequireDpop),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const PermissionsBody = closed({ permissions: Type.Array(Permission, { minItems: 1, maxItems: 200 }) })
