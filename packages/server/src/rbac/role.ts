import { TesseraError } from '../shared/errors.js'

/** A named bundle of permissions, possibly across several APIs. */
export interface Role {
  /** `rol_…`. */
  id: string
  name: string
  description: string
  /** Given to every new account at sign-up, by every path (role-service.ts `assignDefaultsIn`). */
  isDefault: boolean
  createdAt: number
  updatedAt: number
}

/** One permission: a scope of one API. */
export interface Permission {
  /** The API's identifier (the audience of its tokens). */
  api: string
  permission: string
}

export interface RoleWithPermissions extends Role {
  permissions: Permission[]
}

/** Who holds roles: a user, or an application (an M2M client acting for itself). */
/**
 * Who holds roles. A user's `tokenVersion`, when given, is the one read in the same transaction: a
 * cache keys the user's grants by it (app/config-cache.ts), because every change that can take a
 * permission from a user raises it (rbac/role-cut-off.ts).
 */
export type RoleSubject = { kind: 'user'; id: string; tokenVersion?: number } | { kind: 'application'; id: string }

/** What a subject's roles grant on one API. */
export interface GrantedPermissions {
  /** The permissions (scopes), sorted, without duplicates. */
  permissions: string[]
  /** Names of the roles that grant anything on this API, sorted. */
  roles: string[]
}

export const ROLE_ID_PREFIX = 'rol_'

/**
 * Role names: 1 to 64 characters, lower-case letters, digits and `_ . : -`, starting with a letter
 * or digit, and never shaped like a role id (so `get('rol_…')` is never ambiguous).
 */
export function checkRoleName(value: string): string {
  const name = value.trim()
  if (!/^[a-z0-9][a-z0-9_.:-]{0,63}$/.test(name) || name.startsWith(ROLE_ID_PREFIX)) {
    throw new TesseraError('invalid_request', {
      detail: 'a role name is 1 to 64 of a-z 0-9 _ . : - starting with a letter or digit, and does not start with rol_',
    })
  }
  return name
}

export function checkRoleDescription(value: string): string {
  const description = value.trim()
  if (description.length > 500) throw new TesseraError('invalid_request', { detail: 'a description is at most 500 characters' })
  return description
}

/** The public view of a role. */
export function presentRole(role: Role | RoleWithPermissions) {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    default: role.isDefault,
    ...('permissions' in role ? { permissions: role.permissions } : {}),
    createdAt: new Date(role.createdAt).toISOString(),
    updatedAt: new Date(role.updatedAt).toISOString(),
  }
}
