import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ApiService } from '../apis/api-service.js'
import type { ApplicationService } from '../applications/application-service.js'
import { checkAuthorizationRequest } from '../authorize/check-authorization-request.js'
import type { PushedRequestService } from '../authorize/pushed-request-service.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import type { SessionService } from '../sessions/session-service.js'
import { oauthErrorName } from '../shared/errors.js'
import type { RandomSource } from '../shared/random.js'
import { pageErrorHandlerFor, sendErrorPage } from '../ui/error-page.js'
import { type PageTranslator, pageTranslator } from '../ui/page-translator.js'
import { browserSession, ensureBinding } from './browser-binding.js'
import { redirectTo } from './flow-pages.js'
import type { FlowService } from './flow-service.js'
import { type LoginFlow, SIGN_IN_STEPS } from './login-flow.js'

export interface AuthorizeRoutesDeps {
  flows: FlowService
  login: LoginFlow
  applications: ApplicationService
  apis: ApiService
  sessions: SessionService
  cookie: CookieSettings
  random: RandomSource
  /** The per-IP credential limit; the authorization endpoint allows ten times as many requests. */
  rateLimit: { max: number; timeWindow: number }
  errorUrl(params: { redirectUri: string; state: string | null }, error: string, description?: string): string
  /** RFC 9126: a `request_uri` from `/oauth/par` stands for the request it was pushed with. */
  pushedRequests: Pick<PushedRequestService, 'resolve'>
  /** Chooses the error page's language (English when absent). */
  translate?: PageTranslator
}

/**
 * `GET` and `POST /oauth/authorize` (RFC 6749 §4.1.1, OIDC Core §3.1.2.1): the checks, then a
 * login flow that serves the request. With a session that needs nothing more, the flow ends at
 * once with the code and is never stored; otherwise it is stored, bound to the browser, and the
 * browser goes to the page of its next step.
 */
export function authorizeRoutes(deps: AuthorizeRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    const translate = deps.translate ?? pageTranslator('en')
    app.setErrorHandler(pageErrorHandlerFor(translate))

    // Each request without a session stores a flow: bound them per IP, generously (single sign-on
    // across many apps is many authorizations), so no one can fill the store.
    const onRequest = app.rateLimit({ ...deps.rateLimit, max: deps.rateLimit.max * 10 })

    const handle = async (request: FastifyRequest, reply: FastifyReply, raw: unknown) => {
      // An unknown, used, expired or foreign request_uri names no redirect URI we can trust: an error page.
      const { parameters, pushed } = await deps.pushedRequests.resolve(raw)
      const checked = await checkAuthorizationRequest(
        parameters,
        { findApplication: (clientId) => deps.applications.find(clientId), findApi: (identifier) => deps.apis.find(identifier) },
        { pushed },
      )
      // RFC 6749 §4.1.2.1: never redirect to an unverified client or redirect URI.
      if (checked.kind === 'fatal') return sendErrorPage(reply, checked.error, undefined, translate(request, uiLocalesOf(raw)))
      if (checked.kind === 'redirect') {
        const url = deps.errorUrl(checked, oauthErrorName(checked.error), checked.error.detail)
        return reply.redirect(url, 303)
      }
      const auth = await browserSession(request, deps.cookie, deps.sessions)
      const flow = deps.flows.start('login', {
        next: auth ? [] : SIGN_IN_STEPS,
        clientId: checked.application.id,
        context: { authorization: checked.params },
      })
      const outcome = await deps.login.resume(flow, flow, () => ensureBinding(request, reply, deps.cookie, deps.random), auth)
      return redirectTo(reply, outcome)
    }

    app.get('/oauth/authorize', { onRequest }, async (request, reply) => handle(request, reply, request.query))
    app.post('/oauth/authorize', { onRequest }, async (request, reply) => handle(request, reply, request.body))
  }
}

/** The raw `ui_locales` of a request that failed its checks, for the error page's language only. */
function uiLocalesOf(raw: unknown): string | null {
  const value = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).ui_locales : undefined
  return typeof value === 'string' ? value : null
}
