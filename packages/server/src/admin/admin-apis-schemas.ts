import { Type } from '@sinclair/typebox'
import { VERIFICATION_MODES } from '../apis/api.js'
import { ENCRYPTION_CURVES } from '../apis/api-encryption-key.js'
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

const B64 = Type.String({ maxLength: 128 })

/** The public key an API's access tokens are encrypted to; Tessera never holds the private one. */
const EncryptionKeyView = Type.Object(
  {
    kty: Type.String(),
    crv: Type.String(),
    x: B64,
    y: Type.Optional(B64),
    kid: Type.String(),
    alg: Type.String(),
    use: Type.String(),
  },
  { description: 'The public JWK its access tokens are encrypted to (ECDH-ES+A256KW, A256GCM).' },
)

export const ApiView = Type.Object({
  id: Type.String(),
  identifier: Type.String(),
  name: Type.String(),
  mode: Mode,
  accessTokenTtl: Type.Integer(),
  scopes: Type.Array(Type.String()),
  rolesClaim: Type.Boolean({ description: 'Its access tokens carry a `roles` claim.' }),
  requireDpop: Type.Boolean({ description: 'It accepts DPoP-bound tokens only (RFC 9449).' }),
  encryptTokens: Type.Boolean({ description: 'Its access tokens are nested JWTs: signed, then encrypted (JWE).' }),
  encryptionKey: Type.Union([EncryptionKeyView, Type.Null()]),
  createdAt: Timestamp,
})

export const ApiParams = closed({ apiId: ApiId })
export const ApiPermissionParams = closed({ apiId: ApiId, permission: Permission })
export const ApiBody = Type.Object({ api: ApiView })

const PrivateJwk = Type.Record(Type.String(), Type.String(), {
  description: 'The private JWK of a key pair Tessera made, shown this once and never stored: give it to the resource server.',
})

/** An API, with the private half of its encryption key pair when Tessera just made one. */
export const ApiWithKeyBody = Type.Object({ api: ApiView, privateJwk: Type.Optional(PrivateJwk) })

/** Issue 16 part 7: a key pair made by Tessera (the private JWK is returned once), or the API's own public JWK. */
export const EncryptionKeyRequestBody = Type.Union(
  [
    closed({ generate: Type.Union(ENCRYPTION_CURVES.map((curve) => Type.Literal(curve))) }, 'Make a key pair on this curve.'),
    closed(
      {
        publicJwk: Type.Object({}, { additionalProperties: true, maxProperties: 20, description: 'An EC P-256 or OKP X25519 public JWK.' }),
      },
      "Encrypt to the API's own public key.",
    ),
  ],
  { description: 'How its access tokens are encrypted (ECDH-ES+A256KW, A256GCM).' },
)
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
  encryption: Type.Optional(EncryptionKeyRequestBody),
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
