import type { ApplicationService } from '../applications/application-service.js'
import type { Actor } from '../events/event-outbox.js'
import { TesseraError } from '../shared/errors.js'
import type { Transact } from '../store/stores.js'
import { ADMIN_API_IDENTIFIER, ADMIN_PERMISSIONS } from './admin-api.js'

export interface AdminBootstrapDeps {
  transact: Transact
  applications: ApplicationService
}

export interface BootstrapResult {
  clientId: string
  clientSecret: string
  audience: string
}

export type AdminBootstrap = ReturnType<typeof createAdminBootstrap>

/**
 * Creates the first admin application: an m2m client for urn:tessera:admin with admin:read and
 * admin:write. It runs once: while any application may ask for admin tokens, it refuses.
 */
export function createAdminBootstrap(deps: AdminBootstrapDeps) {
  return {
    async bootstrap(actor: Actor): Promise<BootstrapResult> {
      return deps.transact(async (tx) => {
        const api = await tx.apis.findByIdentifier(ADMIN_API_IDENTIFIER)
        if (!api) throw new TesseraError('api_not_found', { detail: 'the built-in admin API is missing; run tessera migrate' })
        // Writing the built-in API's row first serializes two bootstraps racing on PostgreSQL
        // (the row lock holds until commit); SQLite has one writer anyway.
        await tx.apis.update(api)
        const existing = (await tx.applications.list()).filter((app) => app.apis.includes(ADMIN_API_IDENTIFIER))
        if (existing.length > 0) throw new TesseraError('admin_already_bootstrapped')
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
        return { clientId: application.id, clientSecret: clientSecret as string, audience: ADMIN_API_IDENTIFIER }
      })
    },
  }
}
