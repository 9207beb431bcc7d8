import type { ApplicationService } from '../applications/application-service.js'
import type { Actor } from '../events/event-outbox.js'
import type { Role } from '../rbac/role.js'
import type { RoleService, RoleServiceStores } from '../rbac/role-service.js'
import { TesseraError } from '../shared/errors.js'
import type { Transact } from '../store/transaction.js'
import { ADMIN_API_IDENTIFIER, ADMIN_PERMISSIONS, ADMIN_READ } from './admin-api.js'

/** The role service's stores cover what creating the application needs (applications, apis, events). */
export type AdminBootstrapStores = RoleServiceStores

export interface AdminBootstrapDeps {
  transact: Transact<AdminBootstrapStores>
  applications: Pick<ApplicationService, 'createIn'>
  roles: Pick<RoleService, 'createIn' | 'addPermissionsIn' | 'assignToApplicationIn' | 'assignToUserIn'>
}

export interface BootstrapResult {
  clientId: string
  clientSecret: string
  audience: string
}

/** The built-in role that grants admin:read and admin:write on urn:tessera:admin. */
export const ADMIN_ROLE = 'tessera-admin'
/** The built-in read-only role: admin:read alone (the console shows no write actions). */
export const ADMIN_READ_ROLE = 'tessera-admin-read'

const ROLES = {
  [ADMIN_ROLE]: { description: 'Built in: the admin API (urn:tessera:admin), read and write.', permissions: [...ADMIN_PERMISSIONS] },
  [ADMIN_READ_ROLE]: { description: 'Built in: the admin API (urn:tessera:admin), read only.', permissions: [ADMIN_READ] },
} as const
type BuiltInRole = keyof typeof ROLES

export type AdminBootstrap = ReturnType<typeof createAdminBootstrap>

/**
 * Creates the first admin application: an m2m client for urn:tessera:admin allowed admin:read and
 * admin:write, holding the built-in role `tessera-admin` that grants them (a token's scope is what
 * its roles grant). It runs once: while an application holds that role, it refuses.
 *
 * Everything happens in one transaction: the role (created if missing, its two permissions made
 * sure of), the application and the assignment commit together or not at all, so a failure leaves
 * no role-less client and no half-made role. Two bootstraps at once give one outcome: the first
 * write (to the built-in API's row) serializes them on PostgreSQL, SQLite has one writer, and the
 * second then sees the first's holder and refuses with `admin_already_bootstrapped`.
 */
export function createAdminBootstrap(deps: AdminBootstrapDeps) {
  const { roles } = deps

  /**
   * The built-in role inside the caller's transaction, created with its permissions if missing
   * (a role left by an earlier release's interrupted run is completed). A name taken by a
   * concurrent `roles create` is `role_exists` (the unique index decides) and nothing is kept.
   */
  async function ensureRoleIn(tx: AdminBootstrapStores, name: BuiltInRole, actor: Actor): Promise<Role> {
    const role = (await tx.roles.findByName(name)) ?? (await roles.createIn(tx, { name, description: ROLES[name].description }, actor))
    await roles.addPermissionsIn(tx, role.id, ADMIN_API_IDENTIFIER, [...ROLES[name].permissions], actor)
    return role
  }

  return {
    /**
     * Gives a user the built-in admin role (or the read-only one), creating it if missing, so they
     * can sign in to the console. Holding it already changes nothing.
     */
    async grantToUser(userId: string, options: { readOnly: boolean }, actor: Actor): Promise<{ role: BuiltInRole }> {
      const role = options.readOnly ? ADMIN_READ_ROLE : ADMIN_ROLE
      await deps.transact(async (tx) => roles.assignToUserIn(tx, (await ensureRoleIn(tx, role, actor)).id, userId, actor))
      return { role }
    },

    async bootstrap(actor: Actor): Promise<BootstrapResult> {
      return deps.transact(async (tx) => {
        const api = await tx.apis.findByIdentifier(ADMIN_API_IDENTIFIER)
        if (!api) throw new TesseraError('api_not_found', { detail: 'the built-in admin API is missing; run tessera migrate' })
        // Writing the built-in API's row first serializes two bootstraps racing on PostgreSQL
        // (the row lock holds until commit); SQLite has one writer anyway.
        await tx.apis.update(api)
        const existing = await tx.roles.findByName(ADMIN_ROLE)
        if (existing && (await tx.roles.listHolders(existing.id)).applications.length > 0) {
          throw new TesseraError('admin_already_bootstrapped')
        }
        const role = await ensureRoleIn(tx, ADMIN_ROLE, actor)
        const { application, clientSecret } = await deps.applications.createIn(
          tx,
          {
            name: 'Tessera admin',
            type: 'm2m',
            grants: ['client_credentials'],
            apis: [ADMIN_API_IDENTIFIER],
            scopes: [...ADMIN_PERMISSIONS],
          },
          actor,
        )
        await roles.assignToApplicationIn(tx, role.id, application.id, actor)
        return { clientId: application.id, clientSecret: clientSecret as string, audience: ADMIN_API_IDENTIFIER }
      })
    },
  }
}
