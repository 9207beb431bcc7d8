import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ApiService } from '../apis/api-service.js'
import type { ApplicationService } from '../applications/application-service.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import type { PerIpLimit } from '../rate-limit/rate-limit-counter.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import type { SessionService } from '../sessions/session-service.js'
import { oauthErrorName } from '../shared/errors.js'
import type { RandomSource } from '../shared/random.js'
import { pageErrorHandler, sendErrorPage } from '../ui/error-page.js'
import { proceed } from './authorize-flow.js'
import type { AuthorizeService } from './authorize-service.js'
import { browserSession, ensureBinding } from './browser-binding.js'
import { checkAuthorizationRequest } from './check-authorization-request.js'

export interface AuthorizeRoutesDeps {
  authorize: AuthorizeService
  applications: ApplicationService
  apis: ApiService
  sessions: SessionService
  cookie: CookieSettings
  random: RandomSource
  /** The per-IP credential limit; the authorization endpoint allows ten times as many requests. */
  rateLimit: PerIpLimit
}

/** `GET` and `POST /oauth/authorize` (RFC 6749 §4.1.1, OIDC Core §3.1.2.1). */
export function authorizeRoutes(deps: AuthorizeRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    app.setErrorHandler(pageErrorHandler)

    // Each request without a session writes a pending request: bound them per IP, generously
    // (single sign-on across many apps is many authorizations), so no one can fill the store.
    const onRequest = app.rateLimit({ ...deps.rateLimit, max: deps.rateLimit.max * 10 })

    const handle = async (request: FastifyRequest, reply: FastifyReply, raw: unknown) => {
      const checked = await checkAuthorizationRequest(raw, {
        findApplication: (clientId) => deps.applications.find(clientId),
        findApi: (identifier) => deps.apis.find(identifier),
      })
      // RFC 6749 §4.1.2.1: never redirect to an unverified client or redirect URI.
      if (checked.kind === 'fatal') return sendErrorPage(reply, checked.error)
      if (checked.kind === 'redirect') {
        const url = deps.authorize.errorUrl(checked, oauthErrorName(checked.error), checked.error.detail)
        return reply.redirect(url, 303)
      }
      const auth = await browserSession(request, deps.cookie, deps.sessions)
      return proceed(deps.authorize, reply, {
        params: checked.params,
        application: checked.application,
        auth,
        pending: null,
        binding: () => ensureBinding(request, reply, deps.cookie, deps.random),
      })
    }

    app.get('/oauth/authorize', { onRequest }, async (request, reply) => handle(request, reply, request.query))
    app.post('/oauth/authorize', { onRequest }, async (request, reply) => handle(request, reply, request.body))
  }
}
