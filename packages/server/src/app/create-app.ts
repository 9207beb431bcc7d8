import type { FastifyInstance } from 'fastify'
import { createAccountSignIn } from '../flows/account-sign-in.js'
import { createUpstreamApi } from '../flows/upstream-api.js'
import { createAuthenticate } from '../sessions/authenticate-request.js'
import { pageTranslator } from '../ui/page-translator.js'
import type { AppDeps } from './app-deps.js'
import { createFastify } from './fastify-instance.js'
import { installGlobalHooks } from './global-hooks.js'
import type { RouteContext } from './route-context.js'
import { registerAccountRoutes } from './routes-accounts.js'
import { registerOAuthRoutes } from './routes-oauth.js'
import { registerOperationsRoutes } from './routes-operations.js'

/**
 * Assembles the HTTP application from ready services. It opens nothing and reads no environment.
 * The server's options (fastify-instance.ts), then what every request passes through
 * (global-hooks.ts), then the routes by audience: operations, a user's own account, OAuth/OIDC.
 */
export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = createFastify({ logger: deps.logger, trustProxy: deps.trustProxy, bodyLimit: deps.bodyLimit })
  await installGlobalHooks(app, deps)
  const context: RouteContext = {
    deps,
    translate: pageTranslator(deps.defaultLocale ?? 'en'),
    authenticate: createAuthenticate({ sessions: deps.sessions, cookie: deps.cookie }),
    perIp: (limiter) => ({ ...deps.rateLimit, limiter }),
    accountSignIn: createAccountSignIn({ flows: deps.oidc.flows, cookie: deps.cookie, random: deps.oidc.random }),
    upstreamApi: createUpstreamApi({
      flows: deps.oidc.flows,
      connections: deps.connections.service,
      client: deps.connections.client,
      findApplication: (clientId) => deps.oidc.applications.find(clientId),
      recordFailure: deps.connections.recordFailure,
      random: deps.oidc.random,
      clock: deps.clock,
    }),
  }
  await registerOperationsRoutes(app, context)
  await registerAccountRoutes(app, context)
  await registerOAuthRoutes(app, context)
  return app
}
