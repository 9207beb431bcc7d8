import { Type } from '@sinclair/typebox'
import { NextCursor } from './admin-page.js'
import { ClientId, closed, Permission, Timestamp, UserId } from './admin-schemas.js'

export const RoleId = Type.String({ pattern: '^rol_[A-Za-z0-9_-]{1,64}$', description: 'A role id (rol_…).' })
const RoleName = Type.String({ minLength: 1, maxLength: 64, description: 'a-z 0-9 _ . : -, starting with a letter or digit.' })
const Description = Type.String({ maxLength: 500 })
const ApiIdentifier = Type.String({ minLength: 1, maxLength: 512, description: 'The API identifier (audience) the permissions belong to.' })

const RoleFields = {
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  default: Type.Boolean({ description: 'Given to every new account at sign-up.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}
export const RoleView = Type.Object(RoleFields)
export const RoleDetail = Type.Object({
  ...RoleFields,
  permissions: Type.Array(Type.Object({ api: Type.String(), permission: Type.String() })),
})

export const RoleParams = closed({ roleId: RoleId })
export const RoleList = Type.Object({ roles: Type.Array(RoleView) })
export const RolePage = Type.Object({ roles: Type.Array(RoleView), nextCursor: NextCursor })
export const RoleMembers = Type.Object({
  users: Type.Array(Type.Object({ id: Type.String(), email: Type.String() }), { description: 'Users holding the role, by id.' }),
  applications: Type.Array(Type.Object({ clientId: Type.String(), name: Type.String() }), {
    description: 'Applications holding the role (m2m), on the first page only.',
  }),
  nextCursor: NextCursor,
})
export const RoleBody = Type.Object({ role: RoleView })
export const RoleDetailBody = Type.Object({ role: RoleDetail })

const IsDefault = Type.Boolean({
  description: 'Give the role to every account created from now on (existing accounts keep what they hold).',
})
export const NewRoleBody = closed({ name: RoleName, description: Type.Optional(Description), default: Type.Optional(IsDefault) })
export const RoleChangesBody = Type.Object(
  { name: Type.Optional(RoleName), description: Type.Optional(Description), default: Type.Optional(IsDefault) },
  { additionalProperties: false, minProperties: 1 },
)
export const RolePermissionsBody = closed({ api: ApiIdentifier, permissions: Type.Array(Permission, { minItems: 1, maxItems: 100 }) })
export const RolePermissionQuery = closed({ api: ApiIdentifier, permission: Permission })

export const UserRoleParams = closed({ userId: UserId, roleId: RoleId })
export const ApplicationRoleParams = closed({ clientId: ClientId, roleId: RoleId })
