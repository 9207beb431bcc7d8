import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { Accounts } from '../accounts/accounts.js'
import type { ApiService } from '../apis/api-service.js'
import type { ApplicationService } from '../applications/application-service.js'
import type { AuditService } from '../audit/audit-service.js'
import type { ConnectionService } from '../connections/connection-service.js'
import type { EmailService } from '../email/email-service.js'
import type { KeyService } from '../keys/key-service.js'
import type { MfaService } from '../mfa/mfa-service.js'
import type { RoleService } from '../rbac/role-service.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import type { StatsService } from '../stats/stats-service.js'
import type { ActiveAccessToken } from '../tokens/introspection-service.js'
import type { UserService } from '../users/user-service.js'
import type { UserStore } from '../users/user-store.js'
import type { WebhookService } from '../webhooks/webhook-service.js'
import { adminAccountRoutes } from './admin-account-routes.js'
import { ADMIN_READ } from './admin-api.js'
import { adminApisRoutes } from './admin-apis-routes.js'
import { adminApplicationsRoutes } from './admin-applications-routes.js'
import { adminAuditRoutes } from './admin-audit-routes.js'
import { createAdminAuthHook } from './admin-auth-hook.js'
import { adminConnectionsRoutes } from './admin-connections-routes.js'
import { adminEmailRoutes } from './admin-email-routes.js'
import { type AdminIdentitiesDeps, adminIdentitiesRoutes } from './admin-identities-routes.js'
import { adminKeysRoutes } from './admin-keys-routes.js'
import { adminMfaRoutes } from './admin-mfa-routes.js'
import { createOpenApiCollector, type OpenApiDocument } from './admin-openapi.js'
import { adminRolesRoutes } from './admin-roles-routes.js'
import { responses } from './admin-schemas.js'
import { adminSessionsRoutes } from './admin-sessions-routes.js'
import { adminSettingsRoutes, type SettingsView } from './admin-settings-routes.js'
import { adminStatsRoutes } from './admin-stats-routes.js'
import { adminUsersRoutes } from './admin-users-routes.js'
import { adminWebhookDeliveriesRoutes } from './admin-webhook-deliveries-routes.js'
import { adminWebhooksRoutes } from './admin-webhooks-routes.js'

export const ADMIN_PREFIX = '/admin/v1'
export const ADMIN_API_VERSION = '1.0.0'

export interface AdminDeps {
  activeAccessToken: (token: string) => Promise<ActiveAccessToken | null>
  users: UserService
  sessions: SessionService
  applications: ApplicationService
  apis: ApiService
  keys: KeyService
  roles: RoleService
  audit: AuditService
  webhooks: WebhookService
  /** Upstream identity providers (docs/connections.md). */
  connections: ConnectionService
  email: EmailService
  /** Operators' actions on verification and reset (docs/email.md). */
  accounts: Accounts
  userStore: Pick<UserStore, 'findById'>
  /** The console's overview figures. */
  stats: StatsService
  /** The effective configuration, secrets masked (GET /settings). */
  settings: () => SettingsView
  /** Operators' view and reset of second factors (docs/mfa.md). */
  mfa: MfaService
  /** Operators' view and unlinking of upstream identities (docs/connections.md). */
  identities: AdminIdentitiesDeps['identities']
  clock: Clock
}

/**
 * The admin API, registered under /admin/v1. The auth hook is added before any route, to the
 * whole prefix (its not-found handler included): no route can be reached without it.
 */
export function adminRoutes(deps: AdminDeps, described?: (document: OpenApiDocument) => void): FastifyPluginAsyncTypebox {
  return async (app) => {
    const openapi = createOpenApiCollector(ADMIN_API_VERSION)
    app.addHook('onRoute', openapi.onRoute)
    if (described)
      app.addHook('onReady', async () => {
        described(openapi.document())
      })
    app.decorateRequest('admin', null)
    app.addHook('onRequest', createAdminAuthHook(deps))
    app.addHook('preValidation', async (request) => {
      // Strict input: a route without a body schema takes no body; one with a schema and no body
      // sees `{}`, so its required fields are reported rather than the body's absence.
      const hasBodySchema = Boolean(request.routeOptions.schema?.body)
      if (!hasBodySchema && request.body !== undefined && request.body !== null) {
        throw new TesseraError('invalid_request', { detail: 'This request takes no body.' })
      }
      if (hasBodySchema && (request.body === undefined || request.body === null)) request.body = {}
    })
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store') // responses hold secrets (client secrets) and personal data
    })
    app.setNotFoundHandler((_request, reply) => {
      reply.code(404).type('application/problem+json')
      throw new TesseraError('not_found')
    })

    app.get(
      '/openapi.json',
      {
        config: { permission: ADMIN_READ } as const,
        schema: {
          tags: ['meta'],
          summary: 'This API described in OpenAPI 3.1',
          response: responses({ 200: Type.Object({}, { additionalProperties: true }) }),
        },
      },
      async () => openapi.document(),
    )
    await app.register(adminUsersRoutes(deps))
    await app.register(adminSessionsRoutes(deps))
    await app.register(adminMfaRoutes(deps))
    await app.register(adminIdentitiesRoutes(deps))
    await app.register(adminApplicationsRoutes(deps))
    await app.register(adminApisRoutes(deps))
    await app.register(adminRolesRoutes(deps))
    await app.register(adminKeysRoutes(deps))
    await app.register(adminWebhooksRoutes(deps))
    await app.register(adminWebhookDeliveriesRoutes(deps))
    await app.register(adminConnectionsRoutes(deps))
    await app.register(adminAuditRoutes(deps))
    await app.register(adminEmailRoutes(deps))
    await app.register(adminAccountRoutes(deps))
    await app.register(adminStatsRoutes(deps))
    await app.register(adminSettingsRoutes(deps))
  }
}
