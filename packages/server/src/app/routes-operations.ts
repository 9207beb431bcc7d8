import { sql } from 'kysely'
import { ADMIN_PREFIX, adminRoutes } from '../admin/admin-routes.js'
import { consoleRoutes } from '../console/console-routes.js'
import { healthRoutes } from '../http/health-routes.js'
import { jwksRoutes } from '../keys/jwks-routes.js'
import { metricsRoutes } from '../metrics/metrics-routes.js'
import type { OAuthForm } from '../oauth/oauth-form.js'
import { revocationFeedRoutes } from '../revocation/revocation-feed-routes.js'
import type { TesseraFastify } from './fastify-instance.js'
import type { RouteContext } from './route-context.js'

const NO_FORM: OAuthForm = { get: () => undefined, all: () => [], has: () => false }

/** What operators and resource servers call: health, metrics, keys, the revocation feed, the admin API and console. */
export async function registerOperationsRoutes(app: TesseraFastify, { deps }: RouteContext): Promise<void> {
  await app.register(healthRoutes(() => sql`select 1`.execute(deps.db), deps.draining))
  await app.register(metricsRoutes({ activeAccessToken: deps.admin.activeAccessToken, metrics: deps.metrics }))
  await app.register(
    revocationFeedRoutes({
      log: deps.revocationLog,
      hub: deps.revocationHub,
      clock: deps.clock,
      // The feed is a GET: credentials come from the Authorization header only, never a form.
      authenticateClient: async (request) => deps.authenticateClient(request, NO_FORM, { allowPublic: false }),
      heartbeatIntervalMs: deps.feedHeartbeatIntervalMs,
    }),
  )
  await app.register(jwksRoutes(deps.keys, deps.jwksMaxAge))
  await app.register(adminRoutes({ ...deps.admin, clock: deps.clock }), { prefix: ADMIN_PREFIX })
  await app.register(consoleRoutes({ assets: deps.console }))
}
