import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { FastifyReply } from 'fastify'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import { type ErrorCode, isTesseraError } from '../shared/errors.js'
import {
  accountLinkErrorPage,
  emailVerifiedPage,
  forgotPasswordPage,
  passwordResetDonePage,
  resendRequestedPage,
  resendVerificationPage,
  resetPasswordPage,
  resetRequestedPage,
  verifyEmailPage,
} from '../ui/account-pages.js'
import { sendPage } from '../ui/html.js'
import type { Accounts } from './accounts.js'

/** What the pages say for the errors a person can meet there. */
const LINK_MESSAGES: Partial<Record<ErrorCode, string>> = {
  account_token_invalid: 'This link is not valid. Copy the whole link from the message, or ask for a new one.',
  account_token_expired: 'This link has expired. Ask for a new one.',
  account_token_used: 'This link has been used already, or a newer one was sent. Ask for a new one if you need it.',
}
const FORM_MESSAGES: Partial<Record<ErrorCode, string>> = {
  invalid_email: 'That is not an email address.',
  rate_limited: 'Too many requests for this address. Wait an hour and try again.',
  email_unavailable: 'This server cannot send email at the moment.',
  password_too_short: 'The password is too short.',
  password_too_long: 'The password is too long.',
  password_too_common: 'This password is too easy to guess. Choose another.',
}

const Token = Type.String({ minLength: 1, maxLength: 200 })
const TokenQuery = Type.Object({ token: Type.Optional(Token) })

/**
 * The hosted pages behind the links in messages, and "Forgot your password?": forms that post to
 * the same services as the `/v1` API. A GET never spends a link (mail scanners follow links);
 * pages send `Referrer-Policy: no-referrer` and `no-store` (OWASP Forgot Password Cheat Sheet).
 */
export function accountPageRoutes(deps: { accounts: Accounts }): FastifyPluginAsyncTypebox {
  const { accounts } = deps
  return async (app) => {
    await acceptFormBodiesOnly(app)
    const config = { csrf: 'reject' } as const
    const anonymous = (ip: string) => ({ kind: 'anonymous' as const, ip })

    /** Renders a known refusal as a page; anything else goes on to the problem handler. */
    const refusal = (
      reply: FastifyReply,
      error: unknown,
      messages: Partial<Record<ErrorCode, string>>,
      page: (message: string) => ReturnType<typeof forgotPasswordPage>,
    ) => {
      if (!isTesseraError(error) || messages[error.code] === undefined) throw error
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
      return sendPage(reply, error.status, page(messages[error.code] as string))
    }

    app.get('/ui/forgot-password', async (_request, reply) => sendPage(reply, 200, forgotPasswordPage({ error: null })))

    app.post(
      '/ui/forgot-password',
      { config, schema: { body: Type.Object({ email: Type.String({ maxLength: 320 }) }) } },
      async (request, reply) => {
        try {
          await accounts.passwordReset.request({ email: request.body.email, ip: request.ip, actor: anonymous(request.ip) })
        } catch (error) {
          return refusal(reply, error, FORM_MESSAGES, (message) => forgotPasswordPage({ error: message }))
        }
        return sendPage(reply, 200, resetRequestedPage())
      },
    )

    app.get('/ui/reset-password', { schema: { querystring: TokenQuery } }, async (request, reply) => {
      const token = request.query.token
      if (!token) return sendPage(reply, 400, accountLinkErrorPage(LINK_MESSAGES.account_token_invalid as string))
      return sendPage(reply, 200, resetPasswordPage({ token, error: null }))
    })

    app.post(
      '/ui/reset-password',
      { config, schema: { body: Type.Object({ token: Token, password: Type.String({ maxLength: 4096 }) }) } },
      async (request, reply) => {
        const { token, password } = request.body
        try {
          await accounts.passwordReset.complete({ token, password, actor: anonymous(request.ip) })
        } catch (error) {
          if (isTesseraError(error) && LINK_MESSAGES[error.code] !== undefined) {
            return refusal(reply, error, LINK_MESSAGES, accountLinkErrorPage)
          }
          // A refused password leaves the link alive: the form comes back.
          return refusal(reply, error, FORM_MESSAGES, (message) => resetPasswordPage({ token, error: message }))
        }
        return sendPage(reply, 200, passwordResetDonePage())
      },
    )

    app.get('/ui/verify-email/resend', async (_request, reply) =>
      sendPage(reply, 200, resendVerificationPage({ email: null, error: null })),
    )

    app.post(
      '/ui/verify-email/resend',
      { config, schema: { body: Type.Object({ email: Type.String({ maxLength: 320 }) }) } },
      async (request, reply) => {
        try {
          await accounts.verification.requestByEmail({ email: request.body.email, ip: request.ip, actor: anonymous(request.ip) })
        } catch (error) {
          return refusal(reply, error, FORM_MESSAGES, (message) => resendVerificationPage({ email: request.body.email, error: message }))
        }
        return sendPage(reply, 200, resendRequestedPage())
      },
    )

    app.get('/ui/verify-email', { schema: { querystring: TokenQuery } }, async (request, reply) => {
      const token = request.query.token
      if (!token) return sendPage(reply, 400, accountLinkErrorPage(LINK_MESSAGES.account_token_invalid as string))
      return sendPage(reply, 200, verifyEmailPage({ token }))
    })

    app.post('/ui/verify-email', { config, schema: { body: Type.Object({ token: Token }) } }, async (request, reply) => {
      try {
        const user = await accounts.verification.confirmToken(request.body.token, anonymous(request.ip))
        return sendPage(reply, 200, emailVerifiedPage({ email: user.email }))
      } catch (error) {
        return refusal(reply, error, LINK_MESSAGES, accountLinkErrorPage)
      }
    })
  }
}
