import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../events/event-outbox.js'
import { LOCALES } from '../i18n/catalogues.js'
import { requestedLocale } from '../i18n/locale.js'
import type { RequestAuth } from '../sessions/authenticate-request.js'
import { TesseraError } from '../shared/errors.js'
import { presentUser } from '../users/user.js'
import {
  ChangeEmailBody,
  ChangePasswordBody,
  ConfirmEmailBody,
  ResendVerificationBody,
  ResetConfirmBody,
  ResetRequestBody,
  VerifyConfirmBody,
} from './account-schemas.js'
import type { Accounts } from './accounts.js'

export interface AccountRoutesDeps {
  accounts: Accounts
  authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>
  rateLimit: { max: number; timeWindow: number }
}

/** What every reset request answers, whether or not the address has an account (no enumeration). */
const RESET_ACCEPTED = { status: 'accepted', message: 'If an account uses this address, a message with a reset link is on its way.' }

/** What every resend by address answers (no enumeration). */
const RESEND_ACCEPTED = {
  status: 'accepted',
  message: 'If an account with this address is waiting for confirmation, a new message is on its way.',
}

/**
 * The `/v1` account endpoints: email verification, password reset, change of password and of
 * address. Thin: each validates its body, calls one service and maps the result.
 */
export function accountRoutes(deps: AccountRoutesDeps): FastifyPluginAsyncTypebox {
  const { accounts } = deps
  return async (app) => {
    const onRequest = app.rateLimit(deps.rateLimit)
    // Unauthenticated forms are refused cross-site; signed-in changes follow the cookie rule.
    const reject = { csrf: 'reject' } as const
    const cookie = { csrf: 'cookie' } as const
    app.addHook('onSend', async (_request, reply) => {
      // Responses may concern tokens and must never be cached (OWASP Forgot Password Cheat Sheet).
      reply.header('cache-control', 'no-store')
    })

    app.post('/v1/password-reset', { schema: { body: ResetRequestBody }, config: reject, onRequest }, async (request, reply) => {
      await accounts.passwordReset.request({ email: request.body.email, ip: request.ip, actor: anonymous(request) })
      return reply.code(202).send(RESET_ACCEPTED)
    })

    app.post('/v1/password-reset/confirm', { schema: { body: ResetConfirmBody }, config: reject, onRequest }, async (request, reply) => {
      await accounts.passwordReset.complete({ token: request.body.token, password: request.body.password, actor: anonymous(request) })
      return reply.code(204).send()
    })

    app.post('/v1/verify-email', { config: cookie, preHandler: deps.authenticate }, async (request, reply) => {
      const { user } = auth(request)
      await accounts.verification.request(user.id, actorOf(request))
      return reply.code(202).send({ status: 'accepted' })
    })

    // The way back for a user refused with email_not_verified, who has no session: by address,
    // answering the same for every address (docs/email.md, "Which credential resends").
    app.post('/v1/verify-email/resend', { schema: { body: ResendVerificationBody }, config: reject, onRequest }, async (request, reply) => {
      await accounts.verification.requestByEmail({ email: request.body.email, ip: request.ip, actor: anonymous(request) })
      return reply.code(202).send(RESEND_ACCEPTED)
    })

    app.post('/v1/verify-email/confirm', { schema: { body: VerifyConfirmBody }, config: reject, onRequest }, async (request, reply) => {
      const body = request.body
      if ('token' in body) return { user: presentUser(await accounts.verification.confirmToken(body.token, anonymous(request))) }
      // A code is short: it counts only for the signed-in user it was sent to.
      await deps.authenticate(request, reply)
      const { user } = auth(request)
      return { user: presentUser(await accounts.verification.confirmCode(user.id, body.code, actorOf(request))) }
    })

    app.post(
      '/v1/password',
      { schema: { body: ChangePasswordBody }, config: cookie, preHandler: deps.authenticate },
      async (request, reply) => {
        const { user, session } = auth(request)
        await accounts.changes.changePassword(
          { userId: user.id, sessionId: session.id, authTime: session.authTime },
          request.body,
          actorOf(request),
        )
        return reply.code(204).send()
      },
    )

    app.post('/v1/email', { schema: { body: ChangeEmailBody }, config: cookie, preHandler: deps.authenticate }, async (request, reply) => {
      const { user, session } = auth(request)
      await accounts.changes.requestEmailChange(
        { userId: user.id, sessionId: session.id, authTime: session.authTime },
        request.body,
        actorOf(request),
      )
      return reply.code(202).send({ status: 'accepted' })
    })

    app.post('/v1/email/confirm', { schema: { body: ConfirmEmailBody }, config: reject, onRequest }, async (request) => ({
      user: presentUser(await accounts.changes.confirmEmailChange(request.body.token, anonymous(request))),
    }))
  }
}

function auth(request: FastifyRequest): RequestAuth {
  if (!request.auth) throw new TesseraError('unauthenticated')
  return request.auth
}

/** The language the client asks for (Accept-Language), so the messages it causes are in it. */
function localeOf(request: FastifyRequest): { locale?: string } {
  const locale = requestedLocale(LOCALES, { acceptLanguage: request.headers['accept-language'] })
  return locale ? { locale } : {}
}

function actorOf(request: FastifyRequest): Actor {
  return { kind: 'user', id: auth(request).user.id, ip: request.ip, ...localeOf(request) }
}

function anonymous(request: FastifyRequest): Actor {
  return { kind: 'anonymous', ip: request.ip, ...localeOf(request) }
}
