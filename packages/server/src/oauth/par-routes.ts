import type { FastifyInstance } from 'fastify'
import type { PushedRequestService } from '../authorize/pushed-request-service.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import type { Clock } from '../shared/clock.js'
import type { DpopCheck } from '../tokens/dpop/dpop-check.js'
import type { DpopNonces } from '../tokens/dpop/dpop-nonce.js'
import type { AuthenticateClient } from './client-authentication.js'
import { readOAuthForm } from './oauth-form.js'

export interface ParRoutesDeps {
  pushedRequests: Pick<PushedRequestService, 'push'>
  authenticateClient: AuthenticateClient
  /** The per-IP credential limit; every accepted push stores a row, so pushes are bounded per IP. */
  rateLimit: { max: number; timeWindow: number }
  /** RFC 9449 §10.1: a DPoP proof on a pushed request binds its code to the proof's key. */
  dpop: { check: DpopCheck; nonces: DpopNonces | null; clock: Clock; parEndpoint: string }
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
      // RFC 9449 §8: a fresh server nonce on every answer, as at the token endpoint.
      if (deps.dpop.nonces) reply.header('dpop-nonce', deps.dpop.nonces.current(deps.dpop.clock.now()))
    })
    const onRequest = app.rateLimit({ ...deps.rateLimit, max: deps.rateLimit.max * 10 })
    app.post('/oauth/par', { onRequest, config: { errors: 'oauth', cors: 'client' } }, async (request, reply) => {
      // Strict reading first: repeated parameters and anything in the URL are refused.
      const form = readOAuthForm(request.body, request.query)
      const application = await deps.authenticateClient(request, form)
      const proof = await deps.dpop.check(request.headers.dpop, { method: 'POST', url: deps.dpop.parEndpoint })
      return reply.code(201).send(await deps.pushedRequests.push(application, request.body, proof?.jkt ?? null))
    })
  }
}
