import type { ApplicationService } from '../applications/application-service.js'
import type { Actor } from '../events/event-outbox.js'
import type { RoleService, RoleServiceStores } from '../rbac/role-service.js'
import { TesseraError } from '../shared/errors.js'
import type { Transact } from '../store/transaction.js'
import { ADMIN_API_IDENTIFIER, ADMIN_PERMISSIONS } from './admin-api.js'

/** The role service's stores cover what creating the application needs (applications, apis, events). */
export type AdminBootstrapStores = RoleServiceStores

export interface AdminBootstrapDeps {
  transact: Transact<AdminBootstrapStores>
  applications: Pick<ApplicationService, 'createIn'>
  roles: Pick<RoleService, 'createIn' | 'addPermissionsIn' | 'assignToApplicationIn'>
}

export interface BootstrapResult {
  clientId: string
  clientSecret: string
  audience: string
}

/** The built-in role that grants admin:read and admin:write on urn:tessera:admin. */
export const ADMIN_ROLE = 'tessera-admin'

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

  return {
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
        // A role left by an earlier release's interrupted run is reused; a name taken by a
        // concurrent `roles create` is `role_exists` (the unique index decides) and nothing is kept.
        const role =
          existing ??
          (await roles.createIn(
            tx,
            { name: ADMIN_ROLE, description: 'Built in: the admin API (urn:tessera:admin), read and write.' },
            actor,
          ))
        await roles.addPermissionsIn(tx, role.id, ADMIN_API_IDENTIFIER, [...ADMIN_PERMISSIONS], actor)
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
