import type { Transact } from '../app/stores.js'
import type { ApplicationService } from '../applications/application-service.js'
import type { Actor } from '../events/event-outbox.js'
import type { RoleService } from '../rbac/role-service.js'
import { isTesseraError, TesseraError } from '../shared/errors.js'
import { ADMIN_API_IDENTIFIER, ADMIN_PERMISSIONS } from './admin-api.js'

export interface AdminBootstrapDeps {
  transact: Transact
  applications: ApplicationService
  roles: RoleService
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
 */
export function createAdminBootstrap(deps: AdminBootstrapDeps) {
  const { roles } = deps

  /** The role, created with its two permissions if missing (idempotent; a half-finished run is repaired). */
  async function ensureRole(actor: Actor): Promise<void> {
    try {
      await roles.get(ADMIN_ROLE)
    } catch (error) {
      if (!isTesseraError(error) || error.code !== 'role_not_found') throw error
      try {
        await roles.create({ name: ADMIN_ROLE, description: 'Built in: the admin API (urn:tessera:admin), read and write.' }, actor)
      } catch (raced) {
        if (!isTesseraError(raced) || raced.code !== 'role_exists') throw raced
      }
    }
    await roles.addPermissions(ADMIN_ROLE, ADMIN_API_IDENTIFIER, [...ADMIN_PERMISSIONS], actor)
  }

  return {
    async bootstrap(actor: Actor): Promise<BootstrapResult> {
      await ensureRole(actor)
      const role = await roles.get(ADMIN_ROLE)
      const { application, clientSecret } = await deps.transact(async (tx) => {
        const api = await tx.apis.findByIdentifier(ADMIN_API_IDENTIFIER)
        if (!api) throw new TesseraError('api_not_found', { detail: 'the built-in admin API is missing; run tessera migrate' })
        // Writing the built-in API's row first serializes two bootstraps racing on PostgreSQL
        // (the row lock holds until commit); SQLite has one writer anyway.
        await tx.apis.update(api)
        const holders = await tx.roles.listHolders(role.id)
        if (holders.applications.length > 0) throw new TesseraError('admin_already_bootstrapped')
        return deps.applications.createIn(
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
      })
      // The role service runs its own transaction (on SQLite one cannot nest in ours). Should this
      // step fail, the new client holds no role and so can get no admin permission; a new run
      // creates another.
      await roles.assignToApplication(role.id, application.id, actor)
      return { clientId: application.id, clientSecret: clientSecret as string, audience: ADMIN_API_IDENTIFIER }
    },
  }
}
