import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Application } from '../applications/application.js'
import type { ApplicationService } from '../applications/application-service.js'
import type { AuthService } from '../auth/auth-service.js'
import { proceed } from '../authorize/authorize-flow.js'
import type { AuthorizeService } from '../authorize/authorize-service.js'
import { browserSession, readBinding } from '../authorize/browser-binding.js'
import type { PendingRequest } from '../authorize/pending-request-store.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import { field } from '../http/form-field.js'
import { requestDevice } from '../http/request-device.js'
import type { PerIpLimit } from '../rate-limit/rate-limit-counter.js'
import { type CookieSettings, cookieOptions } from '../sessions/session-cookie.js'
import type { SessionService } from '../sessions/session-service.js'
import { ERRORS, isTesseraError } from '../shared/errors.js'
import { pageErrorHandler } from './error-page.js'
import { cspSourceOf, type Html, sendPage } from './html.js'
import { consentPage, errorPage, signedOutPage, signInPage, signUpPage } from './pages.js'
import { STYLESHEET } from './stylesheet.js'

export interface UiRoutesDeps {
  authorize: AuthorizeService
  applications: ApplicationService
  auth: AuthService
  sessions: SessionService
  cookie: CookieSettings
  rateLimit: PerIpLimit
}

interface Flow {
  pending: PendingRequest
  application: Application
  binding: string
  csrf: string
  /** form-action sources the page needs: the client, when the form's answer redirects there. */
  targets: string[]
}

const EXPIRED = 'This sign-in request has expired or was started in another browser. Go back to the application and try again.'

/** The hosted pages of the browser flow: sign-in, sign-up, consent, signed-out, and their stylesheet. */
export function uiRoutes(deps: UiRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    const onRequest = app.rateLimit(deps.rateLimit)
    // OWASP CSRF Prevention Cheat Sheet (verify origin, Fetch Metadata): every form post must be
    // same-origin (http/csrf.ts); the refusal is shown as a page.
    const config = { csrf: 'reject' } as const
    app.setErrorHandler(pageErrorHandler)

    /** The pending request this browser is working on, or an error page already sent. */
    async function flowOf(request: FastifyRequest, reply: FastifyReply, id: string | undefined): Promise<Flow | null> {
      const binding = readBinding(request, deps.cookie) ?? undefined
      const pending = await deps.authorize.findPending(id, binding)
      const application = pending ? await deps.applications.find(pending.clientId) : null
      if (!pending || !application || binding === undefined) {
        sendPage(reply, 400, errorPage(EXPIRED))
        return null
      }
      const target = cspSourceOf(pending.params.redirectUri)
      return { pending, application, binding, csrf: deps.authorize.csrfFor(pending.id, binding), targets: target ? [target] : [] }
    }

    /** A form post (same-origin, checked by the route's CSRF policy) carrying the request's token. */
    async function postedFlow(request: FastifyRequest, reply: FastifyReply): Promise<Flow | null> {
      const flow = await flowOf(request, reply, field(request.body, 'request'))
      if (flow && !deps.authorize.csrfMatches(flow.pending, field(request.body, 'csrf'))) {
        sendPage(reply, 403, errorPage('This form has expired. Go back to the application and try again.'))
        return null
      }
      return flow
    }

    const continueWith = (reply: FastifyReply, flow: Flow, auth: Awaited<ReturnType<typeof browserSession>>) =>
      proceed(deps.authorize, reply, {
        params: flow.pending.params,
        application: flow.application,
        auth,
        pending: flow.pending,
        binding: () => flow.binding,
      })

    const page = (reply: FastifyReply, flow: Flow, status: number, body: Html) => sendPage(reply, status, body, flow.targets)

    app.get('/ui/sign-in', async (request, reply) => {
      const flow = await flowOf(request, reply, field(request.query, 'request'))
      if (!flow) return reply
      const form = { requestId: flow.pending.id, csrf: flow.csrf, appName: flow.application.name }
      return page(reply, flow, 200, signInPage({ ...form, email: flow.pending.params.loginHint, error: null }))
    })

    app.get('/ui/sign-up', async (request, reply) => {
      const flow = await flowOf(request, reply, field(request.query, 'request'))
      if (!flow) return reply
      const form = { requestId: flow.pending.id, csrf: flow.csrf, appName: flow.application.name }
      return page(reply, flow, 200, signUpPage({ ...form, email: null, error: null }))
    })

    for (const kind of ['sign-in', 'sign-up'] as const) {
      app.post(`/ui/${kind}`, { config, onRequest }, async (request, reply) => {
        const flow = await postedFlow(request, reply)
        if (!flow) return reply
        const email = field(request.body, 'email') ?? ''
        const credentials = { email, password: field(request.body, 'password') ?? '' }
        try {
          const result =
            kind === 'sign-in'
              ? await deps.auth.signIn(credentials, requestDevice(request))
              : await deps.auth.signUp(credentials, requestDevice(request))
          const maxAge = Math.floor((result.session.absoluteExpiresAt - result.session.createdAt) / 1000)
          reply.setCookie(deps.cookie.name, result.token, cookieOptions(deps.cookie, maxAge))
          return continueWith(reply, flow, { session: result.session, user: result.user })
        } catch (error) {
          if (!isTesseraError(error) || error.status >= 500) throw error
          if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
          const form = {
            requestId: flow.pending.id,
            csrf: flow.csrf,
            appName: flow.application.name,
            email,
            error: ERRORS[error.code].title,
          }
          return page(reply, flow, error.status, kind === 'sign-in' ? signInPage(form) : signUpPage(form))
        }
      })
    }

    app.get('/ui/consent', async (request, reply) => {
      const flow = await flowOf(request, reply, field(request.query, 'request'))
      if (!flow) return reply
      const auth = await browserSession(request, deps.cookie, deps.sessions)
      if (!auth) return reply.redirect(`/ui/sign-in?request=${flow.pending.id}`, 303)
      const scope = flow.pending.params.scope
      return page(
        reply,
        flow,
        200,
        consentPage({ requestId: flow.pending.id, csrf: flow.csrf, appName: flow.application.name, email: auth.user.email, scope }),
      )
    })

    app.post('/ui/consent', { config }, async (request, reply) => {
      const flow = await postedFlow(request, reply)
      if (!flow) return reply
      const auth = await browserSession(request, deps.cookie, deps.sessions)
      if (!auth) return reply.redirect(`/ui/sign-in?request=${flow.pending.id}`, 303)
      const { params } = flow.pending
      // prompt=login and max_age still hold: the session must be one they accept.
      const session = { authTime: auth.session.authTime, userId: auth.user.id }
      if ((await deps.authorize.decide(params, flow.application, session, flow.pending.createdAt)).kind === 'sign-in')
        return reply.redirect(`/ui/sign-in?request=${flow.pending.id}`, 303)
      const decision = field(request.body, 'decision')
      if (decision === 'allow') {
        await deps.authorize.recordConsent(auth.user.id, flow.application.id, params.scope)
        const url = await deps.authorize.issueCode(
          params,
          { id: auth.session.id, userId: auth.user.id, authTime: auth.session.authTime },
          flow.pending.id,
        )
        return reply.redirect(url, 303)
      }
      if (decision === 'deny') {
        await deps.authorize.endPending(flow.pending.id)
        // RFC 6749 §4.1.2.1: the resource owner denied the request.
        return reply.redirect(deps.authorize.errorUrl(params, 'access_denied'), 303)
      }
      return page(reply, flow, 400, errorPage('Choose Allow or Deny.'))
    })

    app.get('/ui/signed-out', async (_request, reply) => sendPage(reply, 200, signedOutPage()))

    app.get('/ui/assets/tessera.css', async (_request, reply) =>
      reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(STYLESHEET),
    )
  }
}
