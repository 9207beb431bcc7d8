import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestDevice } from '../http/request-device.js'
import type { SessionPolicy } from '../sessions/session.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { StepName } from './flow.js'
import type { FlowService } from './flow-service.js'
import { type LoginFlow, SIGN_IN_STEPS } from './login-flow.js'
import { sessionResponse } from './session-response.js'
import { CredentialsBody } from './sign-in-schemas.js'

export interface SignInRoutesDeps {
  flows: FlowService
  login: LoginFlow
  random: RandomSource
  cookie: CookieSettings
  policy: SessionPolicy
  rateLimit: { max: number; timeWindow: number }
}

/**
 * `POST /v1/sign-up` and `POST /v1/sign-in`: the JSON API drives the same login flow as the
 * hosted pages, in one request. The flow starts, its first step runs (`registration` or
 * `password`), and once it has authenticated the user it ends with the session; a flow done within
 * one request is never stored.
 */
export function signInRoutes(deps: SignInRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    // One per-IP limiter shared by both routes, so they share one budget (a route-level
    // `config.rateLimit` gives each route a store, and so a budget, of its own).
    const onRequest = app.rateLimit(deps.rateLimit)
    // Login CSRF (OWASP CSRF Prevention Cheat Sheet): a cross-site page must not sign the
    // browser into the attacker's account (http/csrf.ts).
    const config = { csrf: 'reject' } as const

    const run = async (step: StepName, body: { email: string; password: string }, device: ReturnType<typeof requestDevice>) => {
      const flow = deps.flows.start('login', { next: SIGN_IN_STEPS })
      // Not stored, so never bound to anything; a step that needs a second request will give the
      // client a binding secret of its own.
      const binding = () => randomToken(deps.random, 32)
      const { outcome, signedIn } = await deps.login.submit(flow, binding, step, body, device, null)
      if (outcome.kind !== 'done' || !signedIn) throw new TesseraError('internal_error')
      return signedIn
    }

    app.post('/v1/sign-up', { schema: { body: CredentialsBody }, config, onRequest }, async (request, reply) => {
      const signedIn = await run('registration', request.body, requestDevice(request))
      return sessionResponse(reply.code(201), signedIn, request.body.transport, deps)
    })

    app.post('/v1/sign-in', { schema: { body: CredentialsBody }, config, onRequest }, async (request, reply) => {
      const signedIn = await run('password', request.body, requestDevice(request))
      return sessionResponse(reply, signedIn, request.body.transport, deps)
    })
  }
}
