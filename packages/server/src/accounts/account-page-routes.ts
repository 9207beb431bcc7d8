import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import type { Translator } from '../i18n/translator.js'
import { type ErrorCode, isTesseraError } from '../shared/errors.js'
import {
  accountLinkErrorPage,
  emailVerifiedPage,
  passwordResetDonePage,
  resendRequestedPage,
  resendVerificationPage,
  resetPasswordPage,
  verifyEmailPage,
} from '../ui/account-pages.js'
import { type Html, sendPage } from '../ui/html.js'
import { type PageTranslator, pageTranslator } from '../ui/page-translator.js'
import type { Accounts } from './accounts.js'

/** The errors a person can meet on these pages, said in their language (i18n/catalogues/). */
const LINK_ERRORS = ['account_token_invalid', 'account_token_expired', 'account_token_used'] as const
const FORM_ERRORS = [
  'invalid_email',
  'rate_limited',
  'email_unavailable',
  'password_too_short',
  'password_too_long',
  'password_too_common',
] as const
type PageError = (typeof LINK_ERRORS)[number] | (typeof FORM_ERRORS)[number]

const Token = Type.String({ minLength: 1, maxLength: 200 })
const TokenQuery = Type.Object({ token: Type.Optional(Token) })

export interface AccountPageRoutesDeps {
  accounts: Accounts
  /** Chooses each page's language (English, from Accept-Language only, when absent). */
  translate?: PageTranslator
}

/**
 * The hosted pages behind the links in messages: forms that post to the same services as the `/v1`
 * API ("Forgot your password?" itself is a recovery flow: flows/recovery-routes.ts). A GET never spends a link (mail scanners follow links);
 * pages send `Referrer-Policy: no-referrer` and `no-store` (OWASP Forgot Password Cheat Sheet).
 */
export function accountPageRoutes(deps: AccountPageRoutesDeps): FastifyPluginAsyncTypebox {
  const { accounts } = deps
  const translate = deps.translate ?? pageTranslator('en')
  return async (app) => {
    await acceptFormBodiesOnly(app)
    const config = { csrf: 'reject' } as const
    const anonymous = (ip: string) => ({ kind: 'anonymous' as const, ip })
    const actor = (ip: string, t: Translator) => ({ ...anonymous(ip), locale: t.locale })

    /** Renders a known refusal as a page; anything else goes on to the problem handler. */
    const refusal = (reply: FastifyReply, error: unknown, known: readonly PageError[], t: Translator, page: (message: string) => Html) => {
      if (!isTesseraError(error) || !(known as readonly ErrorCode[]).includes(error.code)) throw error
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
      return sendPage(reply, error.status, page(t.t(`error.${error.code as PageError}`)))
    }
    const isLinkError = (error: unknown) => isTesseraError(error) && (LINK_ERRORS as readonly ErrorCode[]).includes(error.code)

    app.get('/ui/reset-password', { schema: { querystring: TokenQuery } }, async (request, reply) => {
      const t = translate(request)
      const token = request.query.token
      if (!token) return sendPage(reply, 400, accountLinkErrorPage(t.t('error.account_token_invalid'), t))
      return sendPage(reply, 200, resetPasswordPage({ token, error: null, t }))
    })

    app.post(
      '/ui/reset-password',
      { config, schema: { body: Type.Object({ token: Token, password: Type.String({ maxLength: 4096 }) }) } },
      async (request, reply) => {
        const t = translate(request)
        const { token, password } = request.body
        try {
          await accounts.passwordReset.complete({ token, password, actor: actor(request.ip, t) })
        } catch (error) {
          if (isLinkError(error)) return refusal(reply, error, LINK_ERRORS, t, (message) => accountLinkErrorPage(message, t))
          // A refused password leaves the link alive: the form comes back.
          return refusal(reply, error, FORM_ERRORS, t, (message) => resetPasswordPage({ token, error: message, t }))
        }
        return sendPage(reply, 200, passwordResetDonePage(t))
      },
    )

    app.get('/ui/verify-email/resend', async (request, reply) =>
      sendPage(reply, 200, resendVerificationPage({ email: null, error: null, t: translate(request) })),
    )

    app.post(
      '/ui/verify-email/resend',
      { config, schema: { body: Type.Object({ email: Type.String({ maxLength: 320 }) }) } },
      async (request, reply) => {
        const t = translate(request)
        try {
          await accounts.verification.requestByEmail({ email: request.body.email, ip: request.ip, actor: actor(request.ip, t) })
        } catch (error) {
          return refusal(reply, error, FORM_ERRORS, t, (message) =>
            resendVerificationPage({ email: request.body.email, error: message, t }),
          )
        }
        return sendPage(reply, 200, resendRequestedPage(t))
      },
    )

    app.get('/ui/verify-email', { schema: { querystring: TokenQuery } }, async (request, reply) => {
      const t = translate(request)
      const token = request.query.token
      if (!token) return sendPage(reply, 400, accountLinkErrorPage(t.t('error.account_token_invalid'), t))
      return sendPage(reply, 200, verifyEmailPage({ token, t }))
    })

    app.post('/ui/verify-email', { config, schema: { body: Type.Object({ token: Token }) } }, async (request, reply) => {
      const t = translate(request)
      try {
        const user = await accounts.verification.confirmToken(request.body.token, anonymous(request.ip))
        return sendPage(reply, 200, emailVerifiedPage({ email: user.email, t }))
      } catch (error) {
        return refusal(reply, error, LINK_ERRORS, t, (message) => accountLinkErrorPage(message, t))
      }
    })
  }
}
