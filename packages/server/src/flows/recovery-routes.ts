import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import { field } from '../http/form-field.js'
import { requestDevice } from '../http/request-device.js'
import type { Translator } from '../i18n/translator.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import { ERRORS, isTesseraError } from '../shared/errors.js'
import type { RandomSource } from '../shared/random.js'
import { forgotPasswordPage, passwordResetDonePage } from '../ui/account-pages.js'
import { pageErrorHandlerFor, pageMessage } from '../ui/error-page.js'
import { type Html, sendPage } from '../ui/html.js'
import { type PageTranslator, pageTranslator } from '../ui/page-translator.js'
import { recoveryCodePage, recoveryPasswordPage } from '../ui/recovery-pages.js'
import { ensureBinding, readBinding } from './browser-binding.js'
import type { Flow } from './flow.js'
import type { FlowService } from './flow-service.js'
import type { RecoveryFlow } from './recovery-flow.js'

export interface RecoveryRoutesDeps {
  flows: FlowService
  recovery: RecoveryFlow
  cookie: CookieSettings
  random: RandomSource
  rateLimit: { max: number; timeWindow: number }
  translate?: PageTranslator
  /** How long a reset link lives, in minutes, for the code page. */
  resetLinkMinutes?: number
}

interface Loaded {
  flow: Flow
  binding: string
  t: Translator
}

/**
 * "Forgot your password?" as a recovery flow (issue 12, docs/email.md): `/ui/forgot-password`
 * takes the address and starts the flow in this browser; `/ui/recovery?request=…` shows the step it
 * waits for (the message's code, then the new password). The message's link opens its own page
 * (`/ui/reset-password?token=…`, accounts/account-page-routes.ts) and sets the password there; a
 * flow whose password was set that way ends when its page is opened again. Every page is
 * `Referrer-Policy: no-referrer` and `no-store` (ui/html.ts), every form same-origin and bound to
 * the flow's CSRF token (OWASP Forgot Password and CSRF Prevention Cheat Sheets).
 */
export function recoveryRoutes(deps: RecoveryRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    const translate = deps.translate ?? pageTranslator('en')
    app.setErrorHandler(pageErrorHandlerFor(translate))
    const onRequest = app.rateLimit(deps.rateLimit)
    const config = { csrf: 'reject' } as const
    const minutes = deps.resetLinkMinutes ?? 30

    const load = async (request: FastifyRequest, id: string | undefined): Promise<Loaded> => {
      const binding = readBinding(request, deps.cookie)
      const flow = await deps.flows.load(id, binding, 'recovery')
      return { flow, binding: binding as string, t: translate(request) }
    }
    const posted = async (request: FastifyRequest): Promise<Loaded> => {
      const loaded = await load(request, field(request.body, 'request'))
      deps.flows.checkCsrf(loaded.flow, field(request.body, 'csrf'))
      return loaded
    }
    const form = (loaded: Loaded) => ({ requestId: loaded.flow.id, csrf: deps.flows.csrfFor(loaded.flow, loaded.binding), t: loaded.t })
    const codePage = (loaded: Loaded, messages: { error?: string; notice?: string } = {}) =>
      recoveryCodePage({
        ...form(loaded),
        email: loaded.flow.context.recovery?.email ?? '',
        minutes,
        error: messages.error ?? null,
        notice: messages.notice ?? null,
      })
    /** A step's own refusal, said on its page; the flow's (expired, replayed) go on to the error page. */
    const refused = (reply: FastifyReply, error: unknown, t: Translator, page: (message: string) => Html) => {
      if (!isTesseraError(error) || error.status >= 500 || error.code === 'flow_expired') throw error
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
      return sendPage(reply, error.status, page(pageMessage(t, error.code, ERRORS[error.code].title)))
    }
    const device = (request: FastifyRequest, t: Translator) => ({ ...requestDevice(request), locale: t.locale })

    app.get('/ui/forgot-password', async (request, reply) =>
      sendPage(reply, 200, forgotPasswordPage({ error: null, t: translate(request) })),
    )

    app.post('/ui/forgot-password', { config, onRequest }, async (request, reply) => {
      const t = translate(request)
      const binding = ensureBinding(request, reply, deps.cookie, deps.random)
      const started = deps.recovery.start()
      try {
        const outcome = await deps.recovery.submit(
          started,
          () => binding,
          'recovery_email',
          { email: field(request.body, 'email') ?? '' },
          device(request, t),
        )
        return reply.redirect(`/ui/recovery?request=${outcome.flow.id}`, 303)
      } catch (error) {
        return refused(reply, error, t, (message) => forgotPasswordPage({ error: message, t }))
      }
    })

    app.get('/ui/recovery', async (request, reply) => {
      const loaded = await load(request, field(request.query, 'request'))
      // The message's link was used meanwhile (on this device or another): nothing is left to do here.
      if (await deps.recovery.passwordChangedElsewhere(loaded.flow)) {
        await deps.recovery.end(loaded.flow)
        return sendPage(reply, 200, passwordResetDonePage(loaded.t))
      }
      if (loaded.flow.next.includes('new_password')) return sendPage(reply, 200, recoveryPasswordPage({ ...form(loaded), error: null }))
      return sendPage(reply, 200, codePage(loaded))
    })

    app.post('/ui/recovery/code', { config, onRequest }, async (request, reply) => {
      const loaded = await posted(request)
      const resend = field(request.body, 'action') === 'resend'
      const input = resend ? { action: 'resend' } : { code: field(request.body, 'code') ?? '' }
      try {
        const outcome = await deps.recovery.submit(loaded.flow, () => loaded.binding, 'recovery_code', input, device(request, loaded.t))
        if (resend) return sendPage(reply, 200, codePage({ ...loaded, flow: outcome.flow }, { notice: loaded.t.t('recovery.resent') }))
        return reply.redirect(`/ui/recovery?request=${outcome.flow.id}`, 303)
      } catch (error) {
        return refused(reply, error, loaded.t, (message) => codePage(loaded, { error: message }))
      }
    })

    app.post('/ui/recovery/password', { config, onRequest }, async (request, reply) => {
      const loaded = await posted(request)
      const input = { password: field(request.body, 'password') ?? '' }
      try {
        await deps.recovery.submit(loaded.flow, () => loaded.binding, 'new_password', input, device(request, loaded.t))
        return sendPage(reply, 200, passwordResetDonePage(loaded.t))
      } catch (error) {
        // A refused password leaves the step waiting: the form comes back.
        return refused(reply, error, loaded.t, (message) => recoveryPasswordPage({ ...form(loaded), error: message }))
      }
    })
  }
}
