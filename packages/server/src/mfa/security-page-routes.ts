import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../events/event-outbox.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import { field } from '../http/form-field.js'
import type { Clock } from '../shared/clock.js'
import { ERRORS, isTesseraError, type TesseraError } from '../shared/errors.js'
import { pageErrorHandlerFor, pageMessage } from '../ui/error-page.js'
import { sendPage } from '../ui/html.js'
import { type PageTranslator, pageTranslator } from '../ui/page-translator.js'
import { qrCodeSvg } from '../ui/qr-code.js'
import { addAuthenticatorPage, newRecoveryCodesPage, securityPage } from '../ui/security-page.js'
import { presentFactor } from './mfa-factor.js'
import type { MfaPolicy } from './mfa-policy.js'
import { type MfaService, RECENT_SIGN_IN_MS } from './mfa-service.js'

/** The browser's signed-in user, as the session cookie resolves it. */
export interface PageCaller {
  user: { id: string; email: string }
  session: { authTime: number }
}

export interface SecurityPageDeps {
  mfa: MfaService
  policy: MfaPolicy
  clock: Clock
  /** The browser's live session, or null. */
  caller: (request: FastifyRequest) => Promise<PageCaller | null>
  /** Sends the browser to a (fresh) sign-in that comes back to `returnTo` (flows/account-sign-in.ts). */
  signIn: (request: FastifyRequest, reply: FastifyReply, returnTo: string) => Promise<FastifyReply>
  rateLimit: { max: number; timeWindow: number }
  /** Chooses each page's language (`Accept-Language`, the default); English when absent. */
  translate?: PageTranslator
}

const HOME = '/ui/account/security'

/**
 * `/ui/account/security` (docs/mfa.md "Hosted pages"): a signed-in user's authenticator apps,
 * passkeys and recovery codes. Forms post same-origin only (http/csrf.ts, with SameSite cookies:
 * OWASP CSRF Prevention Cheat Sheet); passkeys are added by the page's script through /v1/mfa.
 * Changes need a sign-in within five minutes (NIST SP 800-63B §6.1.2.1); past that, a fresh sign-in.
 */
export function securityPageRoutes(deps: SecurityPageDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    const translate = deps.translate ?? pageTranslator('en')
    app.setErrorHandler(pageErrorHandlerFor(translate))
    const tOf = (reply: FastifyReply) => translate(reply.request)
    const onRequest = app.rateLimit(deps.rateLimit)
    const config = { csrf: 'reject' } as const
    const recent = (caller: PageCaller) => deps.clock.now() - caller.session.authTime <= RECENT_SIGN_IN_MS
    const actor = (request: FastifyRequest, caller: PageCaller): Actor => ({ kind: 'user', id: caller.user.id, ip: request.ip })
    const send = (reply: FastifyReply, status: number, page: Parameters<typeof sendPage>[2]) =>
      sendPage(reply, status, page, [], page.value.includes('<script src="/ui/assets/'))

    async function home(reply: FastifyReply, caller: PageCaller, status: number, error: string | null) {
      const [factors, recoveryCodesLeft] = await Promise.all([deps.mfa.list(caller.user.id), deps.mfa.recoveryCodesLeft(caller.user.id)])
      return send(
        reply,
        status,
        securityPage({
          email: caller.user.email,
          factors: factors.map(presentFactor),
          recoveryCodesLeft,
          recent: recent(caller),
          enrolmentAllowed: deps.policy !== 'off',
          error,
          t: tOf(reply),
        }),
      )
    }

    /** A refusal shown on the page; a stale sign-in goes to a fresh one instead. */
    async function refused(request: FastifyRequest, reply: FastifyReply, caller: PageCaller, error: unknown, returnTo = HOME) {
      if (!isTesseraError(error) || error.status >= 500) throw error
      if (error.code === 'reauthentication_required') return deps.signIn(request, reply, returnTo)
      return home(reply, caller, (error as TesseraError).status, pageMessage(tOf(reply), error.code, ERRORS[error.code].title))
    }

    app.get(HOME, { onRequest }, async (request, reply) => {
      const caller = await deps.caller(request)
      if (!caller) return deps.signIn(request, reply, HOME)
      return home(reply, caller, 200, null)
    })

    app.post(`${HOME}/sign-in-again`, { config, onRequest }, async (request, reply) => deps.signIn(request, reply, HOME))

    const totpPage = async (reply: FastifyReply, caller: PageCaller, status: number, error: string | null) => {
      const { secret, uri } = await deps.mfa.currentTotp({
        userId: caller.user.id,
        account: caller.user.email,
        authTime: caller.session.authTime,
      })
      const t = tOf(reply)
      return send(reply, status, addAuthenticatorPage({ qr: await qrCodeSvg(uri, t.t('mfaEnrol.qrLabel')), secret, error, t }))
    }

    app.get(`${HOME}/totp`, { onRequest }, async (request, reply) => {
      const caller = await deps.caller(request)
      if (!caller) return deps.signIn(request, reply, `${HOME}/totp`)
      try {
        return await totpPage(reply, caller, 200, null)
      } catch (error) {
        return refused(request, reply, caller, error, `${HOME}/totp`)
      }
    })

    app.post(`${HOME}/totp`, { config, onRequest }, async (request, reply) => {
      const caller = await deps.caller(request)
      if (!caller) return deps.signIn(request, reply, HOME)
      try {
        const confirmed = await deps.mfa.confirmTotp({
          userId: caller.user.id,
          code: field(request.body, 'code') ?? '',
          authTime: caller.session.authTime,
          actor: actor(request, caller),
        })
        if (confirmed.recoveryCodes) return send(reply, 200, newRecoveryCodesPage(confirmed.recoveryCodes, tOf(reply)))
        return reply.redirect(HOME, 303)
      } catch (error) {
        if (isTesseraError(error) && error.code === 'invalid_mfa_code')
          return totpPage(reply, caller, 401, pageMessage(tOf(reply), 'invalid_mfa_code', ERRORS.invalid_mfa_code.title))
        return refused(request, reply, caller, error)
      }
    })

    app.post(`${HOME}/remove`, { config, onRequest }, async (request, reply) => {
      const caller = await deps.caller(request)
      if (!caller) return deps.signIn(request, reply, HOME)
      try {
        const factorId = field(request.body, 'id') ?? ''
        await deps.mfa.remove({ userId: caller.user.id, factorId, authTime: caller.session.authTime, actor: actor(request, caller) })
        // The token version rose: this browser's session stays, tokens issued before die (docs/mfa.md).
        return reply.redirect(HOME, 303)
      } catch (error) {
        return refused(request, reply, caller, error)
      }
    })

    app.post(`${HOME}/rename`, { config, onRequest }, async (request, reply) => {
      const caller = await deps.caller(request)
      if (!caller) return deps.signIn(request, reply, HOME)
      try {
        const factorId = field(request.body, 'id') ?? ''
        await deps.mfa.rename({ userId: caller.user.id, factorId, name: field(request.body, 'name') ?? '', actor: actor(request, caller) })
        return reply.redirect(HOME, 303)
      } catch (error) {
        return refused(request, reply, caller, error)
      }
    })

    app.post(`${HOME}/recovery-codes`, { config, onRequest }, async (request, reply) => {
      const caller = await deps.caller(request)
      if (!caller) return deps.signIn(request, reply, HOME)
      try {
        const codes = await deps.mfa.regenerateRecoveryCodes({
          userId: caller.user.id,
          authTime: caller.session.authTime,
          actor: actor(request, caller),
        })
        return send(reply, 200, newRecoveryCodesPage(codes, tOf(reply)))
      } catch (error) {
        return refused(request, reply, caller, error)
      }
    })
  }
}
