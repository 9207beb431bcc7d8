import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthService } from '../auth/auth-service.js'
import { authorizationResponseUrl } from '../authorize/authorize-decision.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import { field } from '../http/form-field.js'
import { requestDevice } from '../http/request-device.js'
import type { LogoutRequest, LogoutService } from '../oauth/logout-service.js'
import { type CookieSettings, cookieOptions } from '../sessions/session-cookie.js'
import type { Authenticated, SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { isTesseraError } from '../shared/errors.js'
import type { RandomSource } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { pageErrorHandlerFor } from '../ui/error-page.js'
import { cspSourceOf, sendPage } from '../ui/html.js'
import { type PageTranslator, pageTranslator } from '../ui/page-translator.js'
import { errorPage, logoutConfirmPage, signedOutPage } from '../ui/pages.js'
import { browserSession, ensureBinding, readBinding } from './browser-binding.js'
import type { Flow } from './flow.js'
import type { FlowService } from './flow-service.js'
import type { FlowStore } from './flow-store.js'
import { confirmLogoutStep } from './steps/confirm-logout-step.js'
import { NO_SECOND_FACTORS } from './steps/step.js'

export interface LogoutRoutesDeps {
  logout: LogoutService
  flows: FlowService
  auth: Pick<AuthService, 'verifyPassword' | 'register' | 'createAccount'>
  sessions: SessionService
  cookie: CookieSettings
  random: RandomSource
  clock: Clock
  transact: Transact<{ flows: FlowStore }>
  /** The per-IP credential limit; each confirmation page stores a flow, so they are bounded like authorizations. */
  rateLimit: { max: number; timeWindow: number }
  /** Chooses each page's language (English when absent). */
  translate?: PageTranslator
}

/**
 * OIDC RP-Initiated Logout 1.0 at `GET` and `POST /oauth/logout`, as a flow. With a valid
 * id_token_hint the session it names is revoked at once (a flow done in one request, never
 * stored). Without one, a signed-in user confirms first: the page starts a logout flow bound to
 * the browser and its session, and only its same-origin form, carrying the flow's CSRF token,
 * signs out (§6, logout CSRF). The token names its flow (`<flow id>.<token>`), so the form's
 * fields stay those of the protocol.
 */
export function logoutRoutes(deps: LogoutRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    const translate = deps.translate ?? pageTranslator('en')
    app.setErrorHandler(pageErrorHandlerFor(translate))
    const onRequest = app.rateLimit({ ...deps.rateLimit, max: deps.rateLimit.max * 10 })

    /** The user's confirmation, if this post carries a valid one: the flow's step is done and the flow ends. */
    async function confirmed(request: FastifyRequest, source: unknown, auth: Authenticated): Promise<boolean> {
      // A cross-site post is served (a relying party may post its logout request) but marked, so
      // it can never stand for the user's confirmation (http/csrf.ts).
      if (request.method !== 'POST' || request.crossSite) return false
      const [id, token] = (field(source, 'csrf') ?? '').split('.')
      try {
        const flow = await deps.flows.load(id, readBinding(request, deps.cookie), 'logout')
        deps.flows.checkCsrf(flow, token)
        if (flow.sessionId !== auth.session.id) return false
        const done = await confirmLogoutStep.next(
          flow,
          {},
          { now: deps.clock.now(), device: requestDevice(request), credentials: deps.auth, secondFactors: NO_SECOND_FACTORS },
        )
        if (done.next.length > 0) return false
        await deps.transact((tx) => deps.flows.endIn(tx, flow))
        return true
      } catch (error) {
        if (isTesseraError(error) && (error.code === 'flow_expired' || error.code === 'csrf_token_invalid')) return false
        throw error
      }
    }

    async function askToConfirm(request: FastifyRequest, reply: FastifyReply, checked: LogoutRequest, auth: Authenticated) {
      const binding = ensureBinding(request, reply, deps.cookie, deps.random)
      const started = deps.flows.start('logout', {
        next: ['confirm_logout'],
        clientId: checked.application?.id ?? null,
        userId: auth.user.id,
        sessionId: auth.session.id,
        context: { logout: { postLogoutRedirectUri: checked.postLogoutRedirectUri, state: checked.state } },
      })
      const flow: Flow = await deps.flows.save(started, started, binding)
      const fields: Record<string, string> = {}
      if (checked.application) fields.client_id = checked.application.id
      if (checked.postLogoutRedirectUri !== null) fields.post_logout_redirect_uri = checked.postLogoutRedirectUri
      if (checked.state !== null) fields.state = checked.state
      const target = checked.postLogoutRedirectUri !== null ? cspSourceOf(checked.postLogoutRedirectUri) : null
      const page = logoutConfirmPage({ csrf: `${flow.id}.${deps.flows.csrfFor(flow, binding)}`, fields, t: translate(request) })
      return sendPage(reply, 200, page, target ? [target] : [])
    }

    const handle = async (request: FastifyRequest, reply: FastifyReply, source: unknown) => {
      const checked = await deps.logout.check({
        idTokenHint: field(source, 'id_token_hint'),
        clientId: field(source, 'client_id'),
        postLogoutRedirectUri: field(source, 'post_logout_redirect_uri'),
        state: field(source, 'state'),
      })
      if (!checked) return sendPage(reply, 400, errorPage(translate(request).t('error.logoutInvalid'), translate(request)))

      const auth = await browserSession(request, deps.cookie, deps.sessions)
      if (checked.hint === null && auth && !(await confirmed(request, source, auth))) return askToConfirm(request, reply, checked, auth)

      const revoked = await deps.logout.signOut(checked, auth)
      if (auth && revoked.has(auth.session.id)) reply.clearCookie(deps.cookie.name, cookieOptions(deps.cookie))
      if (checked.postLogoutRedirectUri !== null)
        return reply.redirect(authorizationResponseUrl(checked.postLogoutRedirectUri, { state: checked.state }), 303)
      return sendPage(reply, 200, signedOutPage(translate(request)))
    }

    app.get('/oauth/logout', { onRequest }, async (request, reply) => handle(request, reply, request.query))
    app.post('/oauth/logout', { config: { csrf: 'mark' }, onRequest }, async (request, reply) => handle(request, reply, request.body))
  }
}
