import type { FastifyInstance } from 'fastify'
import type { PushedRequestService } from '../authorize/pushed-request-service.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import type { AuthenticateClient } from './client-authentication.js'
import { readOAuthForm } from './oauth-form.js'

export interface ParRoutesDeps {
  pushedRequests: Pick<PushedRequestService, 'push'>
  authenticateClient: AuthenticateClient
  /** The per-IP credential limit; every accepted push stores a row, so pushes are bounded per IP. */
  rateLimit: { max: number; timeWindow: number }
}

/**
 * `POST /oauth/par` (RFC 9126 §2): the client authenticates as at the token endpoint (a public
 * client names itself), pushes its authorization request as a form, and gets `201` with a
 * single-use `request_uri` valid for 60 seconds. Errors are RFC 6749 §5.2 JSON, never redirects.
 */
export function parRoutes(deps: ParRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    app.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store')
    })
    const onRequest = app.rateLimit({ ...deps.rateLimit, max: deps.rateLimit.max * 10 })
    app.post('/oauth/par', { onRequest, config: { errors: 'oauth', cors: 'client' } }, async (request, reply) => {
      // Strict reading first: repeated parameters and anything in the URL are refused.
      const form = readOAuthForm(request.body, request.query)
      const application = await deps.authenticateClient(request, form)
      return reply.code(201).send(await deps.pushedRequests.push(application, request.body))
    })
  }
}
