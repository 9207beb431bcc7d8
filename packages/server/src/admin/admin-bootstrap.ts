import type { Transact } from '../app/stores.js'
import type { ApplicationService } from '../applications/application-service.js'
import type { Actor } from '../events/event-outbox.js'
import type { RoleService } from '../rbac/role-service.js'
import { isTesseraError, TesseraError } from '../shared/errors.js'
import { ADMIN_API_IDENTIFIER, ADMIN_PERMISSIONS, ADMIN_READ } from './admin-api.js'

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
 */
export function createAdminBootstrap(deps: AdminBootstrapDeps) {
  const { roles } = deps

  /** The role, created with its permissions if missing (idempotent; a half-finished run is repaired). */
  async function ensureRole(name: BuiltInRole, actor: Actor): Promise<void> {
    try {
      await roles.get(name)
    } catch (error) {
      if (!isTesseraError(error) || error.code !== 'role_not_found') throw error
      try {
        await roles.create({ name, description: ROLES[name].description }, actor)
      } catch (raced) {
        if (!isTesseraError(raced) || raced.code !== 'role_exists') throw raced
      }
    }
    await roles.addPermissions(name, ADMIN_API_IDENTIFIER, [...ROLES[name].permissions], actor)
  }

  return {
    /**
     * Gives a user the built-in admin role (or the read-only one), creating it if missing, so they
     * can sign in to the console. Holding it already changes nothing.
     */
    async grantToUser(userId: string, options: { readOnly: boolean }, actor: Actor): Promise<{ role: BuiltInRole }> {
      const role = options.readOnly ? ADMIN_READ_ROLE : ADMIN_ROLE
      await ensureRole(role, actor)
      await roles.assignToUser(role, userId, actor)
      return { role }
    },

    async bootstrap(actor: Actor): Promise<BootstrapResult> {
      await ensureRole(ADMIN_ROLE, actor)
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
