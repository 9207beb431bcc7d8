import type { Selectable } from 'kysely'
import type { Executor, RolesTable } from '../store/database.js'
import type { Permission, Role, RoleSubject } from './role.js'

/** Roles, their permissions and their holders. */
export interface RoleStore {
  insert(role: Role): Promise<void>
  findById(id: string): Promise<Role | null>
  findByName(name: string): Promise<Role | null>
  list(): Promise<Role[]>
  update(id: string, changes: { name: string; description: string; isDefault: boolean }, now: number): Promise<void>
  /** The roles every new account is given, by name. */
  listDefault(): Promise<Role[]>
  delete(id: string): Promise<boolean>
  listPermissions(roleId: string): Promise<Permission[]>
  /** Adds the permissions the role lacks; returns those added. */
  addPermissions(roleId: string, permissions: Permission[]): Promise<Permission[]>
  /** Removes the permissions the role has; returns those removed. */
  removePermissions(roleId: string, permissions: Permission[]): Promise<Permission[]>
  /** False when the subject already holds the role. */
  assign(subject: RoleSubject, roleId: string, now: number): Promise<boolean>
  /** False when the subject did not hold the role. */
  unassign(subject: RoleSubject, roleId: string): Promise<boolean>
  listRolesOf(subject: RoleSubject): Promise<Role[]>
  /** Ids of the users, and of the applications, holding the role. */
  listHolders(roleId: string): Promise<{ users: string[]; applications: string[] }>
  /**
   * The role's holders for an operator: users by id after `afterUserId` (at most `limit`, and
   * whether more follow), with their email; the applications holding it (at most 200), with their name.
   */
  listMembers(
    roleId: string,
    page: { afterUserId?: string; limit: number },
  ): Promise<{ users: { id: string; email: string }[]; more: boolean; applications: { clientId: string; name: string }[] }>
  /** (role name, permission) pairs the subject's roles grant on one API. */
  grantsOn(subject: RoleSubject, api: string): Promise<{ role: string; permission: string }[]>
}

export function createRoleStore(db: Executor): RoleStore {
  return {
    async insert(role) {
      await db
        .insertInto('roles')
        .values({
          id: role.id,
          name: role.name,
          description: role.description,
          is_default: role.isDefault ? 1 : 0,
          created_at: role.createdAt,
          updated_at: role.updatedAt,
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('roles').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toRole(row) : null
    },
    async findByName(name) {
      const row = await db.selectFrom('roles').selectAll().where('name', '=', name).executeTakeFirst()
      return row ? toRole(row) : null
    },
    async list() {
      return (await db.selectFrom('roles').selectAll().orderBy('name').execute()).map(toRole)
    },
    async update(id, changes, now) {
      await db
        .updateTable('roles')
        .set({ name: changes.name, description: changes.description, is_default: changes.isDefault ? 1 : 0, updated_at: now })
        .where('id', '=', id)
        .execute()
    },
    async listDefault() {
      return (await db.selectFrom('roles').selectAll().where('is_default', '=', 1).orderBy('name').execute()).map(toRole)
    },
    async delete(id) {
      const result = await db.deleteFrom('roles').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
    async listPermissions(roleId) {
      const rows = await db
        .selectFrom('role_permissions')
        .select(['api', 'permission'])
        .where('role_id', '=', roleId)
        .orderBy('api')
        .orderBy('permission')
        .execute()
      return rows.map((row) => ({ api: row.api, permission: row.permission }))
    },
    async addPermissions(roleId, permissions) {
      const added: Permission[] = []
      for (const { api, permission } of permissions) {
        const result = await db
          .insertInto('role_permissions')
          .values({ role_id: roleId, api, permission })
          .onConflict((oc) => oc.columns(['role_id', 'api', 'permission']).doNothing())
          .executeTakeFirst()
        if (Number(result.numInsertedOrUpdatedRows ?? 0n) > 0) added.push({ api, permission })
      }
      return added
    },
    async removePermissions(roleId, permissions) {
      const removed: Permission[] = []
      for (const { api, permission } of permissions) {
        const result = await db
          .deleteFrom('role_permissions')
          .where('role_id', '=', roleId)
          .where('api', '=', api)
          .where('permission', '=', permission)
          .executeTakeFirst()
        if (Number(result.numDeletedRows) > 0) removed.push({ api, permission })
      }
      return removed
    },
    async assign(subject, roleId, now) {
      const query =
        subject.kind === 'user'
          ? db
              .insertInto('user_roles')
              .values({ user_id: subject.id, role_id: roleId, created_at: now })
              .onConflict((oc) => oc.columns(['user_id', 'role_id']).doNothing())
          : db
              .insertInto('application_roles')
              .values({ application_id: subject.id, role_id: roleId, created_at: now })
              .onConflict((oc) => oc.columns(['application_id', 'role_id']).doNothing())
      const result = await query.executeTakeFirst()
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0
    },
    async unassign(subject, roleId) {
      const query =
        subject.kind === 'user'
          ? db.deleteFrom('user_roles').where('user_id', '=', subject.id).where('role_id', '=', roleId)
          : db.deleteFrom('application_roles').where('application_id', '=', subject.id).where('role_id', '=', roleId)
      const result = await query.executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
    async listRolesOf(subject) {
      const rows =
        subject.kind === 'user'
          ? await db
              .selectFrom('user_roles')
              .innerJoin('roles', 'roles.id', 'user_roles.role_id')
              .selectAll('roles')
              .where('user_roles.user_id', '=', subject.id)
              .orderBy('roles.name')
              .execute()
          : await db
              .selectFrom('application_roles')
              .innerJoin('roles', 'roles.id', 'application_roles.role_id')
              .selectAll('roles')
              .where('application_roles.application_id', '=', subject.id)
              .orderBy('roles.name')
              .execute()
      return rows.map(toRole)
    },
    async listMembers(roleId, page) {
      let users = db
        .selectFrom('user_roles')
        .innerJoin('users', 'users.id', 'user_roles.user_id')
        .select(['users.id as id', 'users.email as email'])
        .where('user_roles.role_id', '=', roleId)
      if (page.afterUserId !== undefined) users = users.where('user_roles.user_id', '>', page.afterUserId)
      const rows = await users
        .orderBy('user_roles.user_id')
        .limit(page.limit + 1)
        .execute()
      const applications = await db
        .selectFrom('application_roles')
        .innerJoin('applications', 'applications.id', 'application_roles.application_id')
        .select(['applications.id as clientId', 'applications.name as name'])
        .where('application_roles.role_id', '=', roleId)
        .orderBy('application_roles.application_id')
        .limit(200)
        .execute()
      return { users: rows.slice(0, page.limit), more: rows.length > page.limit, applications }
    },
    async listHolders(roleId) {
      const users = await db.selectFrom('user_roles').select('user_id').where('role_id', '=', roleId).orderBy('user_id').execute()
      const applications = await db
        .selectFrom('application_roles')
        .select('application_id')
        .where('role_id', '=', roleId)
        .orderBy('application_id')
        .execute()
      return { users: users.map((row) => row.user_id), applications: applications.map((row) => row.application_id) }
    },
    async grantsOn(subject, api) {
      const base =
        subject.kind === 'user'
          ? db
              .selectFrom('user_roles as holder')
              .innerJoin('role_permissions as rp', 'rp.role_id', 'holder.role_id')
              .where('holder.user_id', '=', subject.id)
          : db
              .selectFrom('application_roles as holder')
              .innerJoin('role_permissions as rp', 'rp.role_id', 'holder.role_id')
              .where('holder.application_id', '=', subject.id)
      const rows = await base
        .innerJoin('roles', 'roles.id', 'rp.role_id')
        .select(['roles.name as role', 'rp.permission as permission'])
        .where('rp.api', '=', api)
        .execute()
      return rows
    },
  }
}

function toRole(row: Selectable<RolesTable>): Role {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isDefault: Number(row.is_default) === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
