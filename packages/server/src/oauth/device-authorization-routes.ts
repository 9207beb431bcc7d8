import type { FastifyInstance } from 'fastify'
import type { DeviceAuthorizationService } from '../authorize/device-authorization-service.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import type { AuthenticateClient } from './client-authentication.js'
import { readOAuthForm } from './oauth-form.js'

export interface DeviceAuthorizationRoutesDeps {
  deviceAuthorizations: Pick<DeviceAuthorizationService, 'request'>
  authenticateClient: AuthenticateClient
  /** The per-IP credential limit; every accepted request stores a row, so requests are bounded per IP. */
  rateLimit: { max: number; timeWindow: number }
}

/**
 * `POST /oauth/device_authorization` (RFC 8628 §3.1–3.2): a device's program authenticates as at
 * the token endpoint (a public native client names itself) and gets a device code to poll with and
 * a user code to show. Errors are RFC 6749 §5.2 JSON.
 *
 * Not for browsers: no CORS policy, so a page on another origin can neither preflight it nor read
 * it, and `csrf: 'reject'` refuses a cross-site form post before it stores anything (http/csrf.ts).
 */
export function deviceAuthorizationRoutes(deps: DeviceAuthorizationRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    app.addHook('onSend', async (_request, reply) => {
      // RFC 8628 §3.2 answers with codes: never cached (RFC 6749 §5.1).
      reply.header('cache-control', 'no-store')
    })
    const onRequest = app.rateLimit({ ...deps.rateLimit, max: deps.rateLimit.max * 10 })
    app.post('/oauth/device_authorization', { onRequest, config: { errors: 'oauth', csrf: 'reject' } }, async (request) => {
      const form = readOAuthForm(request.body, request.query)
      const application = await deps.authenticateClient(request, form)
      return deps.deviceAuthorizations.request(application, form)
    })
  }
}
