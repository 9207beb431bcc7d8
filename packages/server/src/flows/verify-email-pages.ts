import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { field } from '../http/form-field.js'
import { requestDevice } from '../http/request-device.js'
import { ERRORS, isTesseraError } from '../shared/errors.js'
import { pageMessage } from '../ui/error-page.js'
import type { Html } from '../ui/html.js'
import type { FlowForm } from '../ui/pages.js'
import { verifyEmailStepPage } from '../ui/verify-email-step-page.js'
import { browserSession } from './browser-binding.js'
import { redirectTo } from './flow-pages.js'
import type { SignedIn } from './login-flow.js'
import type { Loaded, LoginRoutesDeps } from './login-routes.js'
import type { StepInput } from './steps/step.js'

/** What the login pages share with this one (flows/login-routes.ts). */
export interface LoginPageHelpers {
  load(request: FastifyRequest, id: string | undefined): Promise<Loaded>
  posted(request: FastifyRequest): Promise<Loaded>
  form(loaded: Loaded): FlowForm & { appName: string }
  page(reply: FastifyReply, loaded: Loaded, status: number, body: Html): FastifyReply
  setSessionCookie(reply: FastifyReply, signedIn: SignedIn): void
  deps: Pick<LoginRoutesDeps, 'login' | 'sessions' | 'cookie' | 'rateLimit'>
}

/**
 * `/ui/verify-email/code`: the hosted page of the `verify_email` step (issue 12, docs/email.md).
 * The page takes the message's code; "Continue" (and opening the page again) goes on once the
 * message's link has verified the address on any device; "Send again" is the step's resend action.
 * The flow decides everything (flows/steps/verify-email-step.ts); this only shows and posts it.
 */
export function verifyEmailPages(app: FastifyInstance, helpers: LoginPageHelpers) {
  const { load, posted, form, page, setSessionCookie, deps } = helpers
  const onRequest = app.rateLimit(deps.rateLimit)
  const config = { csrf: 'reject' } as const
  const PATH = '/ui/verify-email/code'

  const show = (reply: FastifyReply, loaded: Loaded, status: number, messages: { error?: string; notice?: string }) =>
    page(
      reply,
      loaded,
      status,
      verifyEmailStepPage({
        ...form(loaded),
        email: loaded.flow.context.verification?.email ?? '',
        optional: loaded.flow.context.verification?.optional === true,
        error: messages.error ?? null,
        notice: messages.notice ?? null,
      }),
    )

  /** Runs the step; a refusal of the step itself comes back on the page, the flow's own as an error page. */
  const run = async (request: FastifyRequest, reply: FastifyReply, loaded: Loaded, input: StepInput, quiet: boolean) => {
    try {
      const browser = await browserSession(request, deps.cookie, deps.sessions)
      const device = { ...requestDevice(request), locale: loaded.t.locale }
      const { outcome, signedIn } = await deps.login.submit(loaded.flow, () => loaded.binding, 'verify_email', input, device, browser)
      if (signedIn) setSessionCookie(reply, signedIn)
      if (input.action === 'resend' && outcome.kind === 'continue' && outcome.flow.next.includes('verify_email')) {
        return show(reply, { ...loaded, flow: outcome.flow }, 200, { notice: loaded.t.t('verifyStep.resent') })
      }
      return redirectTo(reply, outcome)
    } catch (error) {
      if (!isTesseraError(error) || error.status >= 500 || error.code === 'flow_expired') throw error
      // Opening the page before the address is verified is not a mistake: just the page.
      if (quiet && error.code === 'email_not_verified') return show(reply, loaded, 200, {})
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
      return show(reply, loaded, error.status, { error: pageMessage(loaded.t, error.code, ERRORS[error.code].title) })
    }
  }

  // Opening (or refreshing) the page moves the flow on if the link was used meanwhile: the flow is
  // this browser's own (its binding cookie), so a GET can only continue what the person started.
  app.get(PATH, async (request, reply) => {
    const loaded = await load(request, field(request.query, 'request'))
    if (!loaded.flow.next.includes('verify_email')) return reply.redirect(`/ui/sign-in?request=${loaded.flow.id}`, 303)
    return run(request, reply, loaded, {}, true)
  })

  app.post(PATH, { config, onRequest }, async (request, reply) => {
    const loaded = await posted(request)
    const action = field(request.body, 'action')
    const input = { code: field(request.body, 'code'), ...(action === 'resend' || action === 'skip' ? { action } : {}) }
    return run(request, reply, loaded, input, false)
  })
}
