import type { ApiStore } from '../apis/api-store.js'
import type { ApplicationStore } from '../applications/application-store.js'
import type { Actor, EventOutbox, EventType } from '../events/event-outbox.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { isUniqueViolation } from '../store/unique-violation.js'
import {
  checkRoleDescription,
  checkRoleName,
  type GrantedPermissions,
  type Permission,
  ROLE_ID_PREFIX,
  type Role,
  type RoleSubject,
  type RoleWithPermissions,
} from './role.js'
import { type CutOffStores, cutOffHolders } from './role-cut-off.js'
import type { RoleStore } from './role-store.js'

/**
 * The stores the role service works on: roles, the APIs whose scopes they grant, the users and
 * applications that hold them, and what a cut-off writes (users' token versions, the revocation log).
 */
export interface RoleServiceStores extends CutOffStores {
  roles: RoleStore
  apis: ApiStore
  applications: ApplicationStore
  events: EventOutbox
}

export interface RoleServiceDeps {
  /** Reads outside a transaction. */
  stores: Pick<RoleServiceStores, 'roles'>
  transact: Transact<RoleServiceStores>
  clock: Clock
  random: RandomSource
  /** How long a revocation-log entry matters: the longest access-token TTL. */
  revocationRetentionMs: number
}

export interface NewRole {
  name: string
  description?: string
  /** Give the role to every account created from now on (role-service.ts `assignDefaultsIn`). */
  default?: boolean
}

export type RoleService = ReturnType<typeof createRoleService>

/**
 * Roles bundle permissions (an API's scopes) and are held by users and M2M applications. Every
 * change appends an outbox event in its transaction. A change that can take a permission away
 * (unassigning, deleting, removing a permission, renaming) also cuts off the holders' live tokens
 * in the same transaction (docs/architecture.md §2): users' token versions rise, applications get a `client`
 * cut-off. Granting more changes no existing token. `role` arguments take a role's id or its name.
 */
export function createRoleService(deps: RoleServiceDeps) {
  const { stores, transact, clock } = deps

  async function resolve(tx: Pick<RoleServiceStores, 'roles'>, role: string): Promise<Role> {
    const found = role.startsWith(ROLE_ID_PREFIX) ? await tx.roles.findById(role) : await tx.roles.findByName(role)
    if (!found) throw new TesseraError('role_not_found')
    return found
  }

  /** Each permission must be a scope its API defines. */
  async function checkPermissions(tx: RoleServiceStores, api: string, permissions: string[]): Promise<Permission[]> {
    if (permissions.length === 0) throw new TesseraError('invalid_request', { detail: 'name at least one permission' })
    if (permissions.length > 100) throw new TesseraError('invalid_request', { detail: 'at most 100 permissions at a time' })
    const found = await tx.apis.findByIdentifier(api)
    if (!found) throw new TesseraError('api_not_found', { detail: `no API with identifier ${api.slice(0, 200)}` })
    const unknown = permissions.filter((permission) => !found.scopes.includes(permission))
    if (unknown.length > 0) {
      throw new TesseraError('permission_not_found', { detail: `not a permission of this API: ${unknown.join(' ').slice(0, 200)}` })
    }
    return [...new Set(permissions)].map((permission) => ({ api, permission }))
  }

  async function subjectExists(tx: RoleServiceStores, subject: RoleSubject): Promise<void> {
    if (subject.kind === 'user') {
      if (!(await tx.users.findById(subject.id))) throw new TesseraError('user_not_found')
      return
    }
    const application = await tx.applications.findById(subject.id)
    if (!application) throw new TesseraError('application_not_found')
    // Only a client acting for itself holds roles; other clients act for their users.
    if (application.type !== 'm2m') throw new TesseraError('invalid_request', { detail: 'only m2m applications hold roles' })
  }

  function event(
    tx: RoleServiceStores,
    type: EventType,
    actor: Actor,
    userId: string | null,
    payload: Record<string, unknown>,
    now: number,
  ) {
    return tx.events.append({ type, actor, userId, payload, ip: null, createdAt: now })
  }

  async function withPermissions(tx: Pick<RoleServiceStores, 'roles'>, role: Role): Promise<RoleWithPermissions> {
    return { ...role, permissions: await tx.roles.listPermissions(role.id) }
  }

  /** Gives the subject the role in the caller's transaction; holding it already changes nothing. */
  async function assignIn(tx: RoleServiceStores, role: string, subject: RoleSubject, actor: Actor): Promise<void> {
    const found = await resolve(tx, role)
    await subjectExists(tx, subject)
    const now = clock.now()
    if (!(await tx.roles.assign(subject, found.id, now))) return // already held: nothing changes
    await event(tx, rolesChanged(subject), actor, userOf(subject), await roleChange(tx, found, subject, 'assigned'), now)
  }

  async function assign(role: string, subject: RoleSubject, actor: Actor): Promise<void> {
    await transact((tx) => assignIn(tx, role, subject, actor))
  }

  /** Creates a role in the caller's transaction; a name taken, even by a concurrent writer, is `role_exists`. */
  async function createIn(tx: RoleServiceStores, input: NewRole, actor: Actor): Promise<Role> {
    const now = clock.now()
    const role: Role = {
      id: `${ROLE_ID_PREFIX}${randomToken(deps.random, 12)}`,
      name: checkRoleName(input.name),
      description: checkRoleDescription(input.description ?? ''),
      isDefault: input.default === true,
      createdAt: now,
      updatedAt: now,
    }
    if (await tx.roles.findByName(role.name)) throw new TesseraError('role_exists')
    try {
      await tx.roles.insert(role)
    } catch (error) {
      // Two writers racing for one name (PostgreSQL, read committed): the unique index decides.
      if (isUniqueViolation(error)) throw new TesseraError('role_exists')
      throw error
    }
    await event(tx, 'role.created', actor, null, { roleId: role.id, name: role.name, default: role.isDefault }, now)
    return role
  }

  /** Adds permissions of one API to a role in the caller's transaction (those it already has are left as they are). */
  async function addPermissionsIn(tx: RoleServiceStores, role: string, api: string, permissions: string[], actor: Actor) {
    const found = await resolve(tx, role)
    const added = await tx.roles.addPermissions(found.id, await checkPermissions(tx, api, permissions))
    if (added.length > 0) {
      await event(tx, 'role.permissions_changed', actor, null, { roleId: found.id, name: found.name, added, removed: [] }, clock.now())
    }
    return withPermissions(tx, found)
  }

  async function unassign(role: string, subject: RoleSubject, actor: Actor): Promise<void> {
    await transact(async (tx) => {
      const found = await resolve(tx, role)
      await subjectExists(tx, subject)
      if (!(await tx.roles.unassign(subject, found.id))) throw new TesseraError('role_not_assigned')
      const now = clock.now()
      if ((await tx.roles.listPermissions(found.id)).length > 0) {
        const holders = subject.kind === 'user' ? { users: [subject.id], applications: [] } : { users: [], applications: [subject.id] }
        await cutOffHolders(tx, holders, now, deps.revocationRetentionMs)
      }
      await event(tx, rolesChanged(subject), actor, userOf(subject), await roleChange(tx, found, subject, 'unassigned'), now)
    })
  }

  return {
    async create(input: NewRole, actor: Actor): Promise<Role> {
      return transact((tx) => createIn(tx, input, actor))
    },

    createIn,

    list(): Promise<Role[]> {
      return stores.roles.list()
    },

    /** Who holds the role (a page of users by id, and the applications). */
    async members(role: string, page: { afterUserId?: string; limit: number }) {
      const found = await resolve(stores, role)
      return stores.roles.listMembers(found.id, page)
    },

    /** The role with its permissions. */
    async get(role: string): Promise<RoleWithPermissions> {
      return withPermissions(stores, await resolve(stores, role))
    },

    /** Renames or re-describes a role. A rename cuts off holders' tokens: their `roles` claim names the old name. */
    async update(role: string, changes: { name?: string; description?: string; default?: boolean }, actor: Actor): Promise<Role> {
      if (changes.name === undefined && changes.description === undefined && changes.default === undefined) {
        throw new TesseraError('invalid_request', { detail: 'change the name, the description or whether it is default' })
      }
      const name = changes.name === undefined ? undefined : checkRoleName(changes.name)
      const description = changes.description === undefined ? undefined : checkRoleDescription(changes.description)
      return transact(async (tx) => {
        const found = await resolve(tx, role)
        const now = clock.now()
        const next = {
          ...found,
          name: name ?? found.name,
          description: description ?? found.description,
          isDefault: changes.default ?? found.isDefault,
          updatedAt: now,
        }
        const renamed = next.name !== found.name
        if (renamed && (await tx.roles.findByName(next.name))) throw new TesseraError('role_exists')
        await tx.roles.update(found.id, next, now)
        if (renamed && (await tx.roles.listPermissions(found.id)).length > 0) {
          await cutOffHolders(tx, await tx.roles.listHolders(found.id), now, deps.revocationRetentionMs)
        }
        await event(
          tx,
          'role.updated',
          actor,
          null,
          { roleId: found.id, name: next.name, previousName: found.name, default: next.isDefault },
          now,
        )
        return next
      })
    },

    /** Deletes a role; its holders lose it, and their tokens that may carry its permissions die. */
    async delete(role: string, actor: Actor): Promise<void> {
      await transact(async (tx) => {
        const found = await resolve(tx, role)
        const holders = await tx.roles.listHolders(found.id)
        const hadPermissions = (await tx.roles.listPermissions(found.id)).length > 0
        if (!(await tx.roles.delete(found.id))) throw new TesseraError('role_not_found')
        const now = clock.now()
        if (hadPermissions) await cutOffHolders(tx, holders, now, deps.revocationRetentionMs)
        for (const userId of holders.users) {
          const subject: RoleSubject = { kind: 'user', id: userId }
          await event(tx, 'user.roles_changed', actor, userId, await roleChange(tx, found, subject, 'role_deleted'), now)
        }
        for (const clientId of holders.applications) {
          const subject: RoleSubject = { kind: 'application', id: clientId }
          await event(tx, 'application.roles_changed', actor, null, await roleChange(tx, found, subject, 'role_deleted'), now)
        }
        await event(
          tx,
          'role.deleted',
          actor,
          null,
          { roleId: found.id, name: found.name, users: holders.users.length, applications: holders.applications.length },
          now,
        )
      })
    },

    /** Adds permissions of one API to a role (those it already has are left as they are). */
    async addPermissions(role: string, api: string, permissions: string[], actor: Actor): Promise<RoleWithPermissions> {
      return transact((tx) => addPermissionsIn(tx, role, api, permissions, actor))
    },

    addPermissionsIn,

    /** Removes permissions of one API from a role; every holder's live tokens die. */
    async removePermissions(role: string, api: string, permissions: string[], actor: Actor): Promise<RoleWithPermissions> {
      return transact(async (tx) => {
        const found = await resolve(tx, role)
        const wanted = await checkPermissions(tx, api, permissions)
        const held = await tx.roles.listPermissions(found.id)
        const missing = wanted.filter((want) => !held.some((have) => have.api === want.api && have.permission === want.permission))
        if (missing.length > 0) {
          throw new TesseraError('permission_not_found', {
            detail: `the role does not hold: ${missing
              .map((each) => each.permission)
              .join(' ')
              .slice(0, 200)}`,
          })
        }
        const removed = await tx.roles.removePermissions(found.id, wanted)
        const now = clock.now()
        await cutOffHolders(tx, await tx.roles.listHolders(found.id), now, deps.revocationRetentionMs)
        await event(tx, 'role.permissions_changed', actor, null, { roleId: found.id, name: found.name, added: [], removed }, now)
        return withPermissions(tx, found)
      })
    },

    /**
     * Gives a new account every role marked default, in the transaction that creates it. Every
     * sign-up path calls it through the user service (users/user-service.ts `onCreated`); a path
     * that creates accounts another way (an upstream provider's just-in-time account) calls it too.
     */
    async assignDefaultsIn(tx: RoleServiceStores, userId: string, actor: Actor): Promise<string[]> {
      const defaults = await tx.roles.listDefault()
      for (const role of defaults) await assignIn(tx, role.id, { kind: 'user', id: userId }, actor)
      return defaults.map((role) => role.name)
    },

    assignToUser: (role: string, userId: string, actor: Actor) => assign(role, { kind: 'user', id: userId }, actor),
    /** Gives a user the role inside the caller's transaction. */
    assignToUserIn: (tx: RoleServiceStores, role: string, userId: string, actor: Actor) =>
      assignIn(tx, role, { kind: 'user', id: userId }, actor),
    unassignFromUser: (role: string, userId: string, actor: Actor) => unassign(role, { kind: 'user', id: userId }, actor),
    assignToApplication: (role: string, clientId: string, actor: Actor) => assign(role, { kind: 'application', id: clientId }, actor),
    /** Gives an application the role inside the caller's transaction. */
    assignToApplicationIn: (tx: RoleServiceStores, role: string, clientId: string, actor: Actor) =>
      assignIn(tx, role, { kind: 'application', id: clientId }, actor),
    unassignFromApplication: (role: string, clientId: string, actor: Actor) => unassign(role, { kind: 'application', id: clientId }, actor),

    async listRolesOfUser(userId: string): Promise<Role[]> {
      return transact(async (tx) => {
        if (!(await tx.users.findById(userId))) throw new TesseraError('user_not_found')
        return tx.roles.listRolesOf({ kind: 'user', id: userId })
      })
    },

    async listRolesOfApplication(clientId: string): Promise<Role[]> {
      return transact(async (tx) => {
        if (!(await tx.applications.findById(clientId))) throw new TesseraError('application_not_found')
        return tx.roles.listRolesOf({ kind: 'application', id: clientId })
      })
    },

    /** What the subject's roles grant on one API; call inside the transaction that issues the token. */
    async permissionsFor(tx: Pick<RoleServiceStores, 'roles'>, subject: RoleSubject, api: string): Promise<GrantedPermissions> {
      const grants = await tx.roles.grantsOn(subject, api)
      return {
        permissions: [...new Set(grants.map((grant) => grant.permission))].sort(),
        roles: [...new Set(grants.map((grant) => grant.role))].sort(),
      }
    },
  }
}

function rolesChanged(subject: RoleSubject): EventType {
  return subject.kind === 'user' ? 'user.roles_changed' : 'application.roles_changed'
}

function userOf(subject: RoleSubject): string | null {
  return subject.kind === 'user' ? subject.id : null
}

/** The payload of a roles_changed event: the change, and the names of the roles the subject holds now. */
async function roleChange(
  tx: Pick<RoleServiceStores, 'roles'>,
  role: Role,
  subject: RoleSubject,
  change: 'assigned' | 'unassigned' | 'role_deleted',
) {
  return {
    roleId: role.id,
    name: role.name,
    change,
    roles: (await tx.roles.listRolesOf(subject)).map((held) => held.name),
    ...(subject.kind === 'application' ? { clientId: subject.id } : {}),
  }
}
