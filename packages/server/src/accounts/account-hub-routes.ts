import { createHmac } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor } from '../events/event-outbox.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import { field } from '../http/form-field.js'
import type { Translator } from '../i18n/translator.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import { cookieOptions, sessionTokenFromCookie } from '../sessions/session-cookie.js'
import type { Authenticated, SessionService } from '../sessions/session-service.js'
import { digestsEqual, sha256 } from '../shared/digest.js'
import { type ErrorCode, isTesseraError, TesseraError } from '../shared/errors.js'
import { accountHubPage, confirmEmailPage, emailChangedPage, signInFirstPage } from '../ui/account-hub-page.js'
import { accountLinkErrorPage } from '../ui/account-pages.js'
import { pageErrorHandlerFor, pageMessage } from '../ui/error-page.js'
import { sendPage } from '../ui/html.js'
import { type PageTranslator, pageTranslator } from '../ui/page-translator.js'
import type { Accounts } from './accounts.js'

export interface AccountHubRoutesDeps {
  accounts: Accounts
  sessions: Pick<SessionService, 'authenticate' | 'listLive' | 'revoke'>
  cookie: CookieSettings
  /** The key of the hub's per-session CSRF tokens. */
  csrfKey: Buffer
  rateLimit: { max: number; timeWindow: number }
  translate?: PageTranslator
  /** Sends the browser to the hosted sign-in, which comes back to `returnTo` (flows/account-sign-in.ts). */
  signIn: (request: FastifyRequest, reply: FastifyReply, returnTo: string) => Promise<FastifyReply>
}

/** What each form did, shown after the redirect back (POST/redirect/GET). */
const NOTICES = {
  verification: 'account.notice.verification',
  email: 'account.notice.email',
  password: 'account.notice.password',
  revoked: 'account.notice.revoked',
} as const
type Done = keyof typeof NOTICES

/** The refusals a person can meet on the hub's forms, shown on the page; anything else is a problem document. */
const FORM_ERRORS: readonly ErrorCode[] = [
  'invalid_email',
  'invalid_credentials',
  'rate_limited',
  'email_unavailable',
  'password_too_short',
  'password_too_long',
  'password_too_common',
  'reauthentication_required',
  'session_not_found',
]
const LINK_ERRORS: readonly ErrorCode[] = ['account_token_invalid', 'account_token_expired', 'account_token_used', 'email_taken']

const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16)

/**
 * `/ui/account`, the signed-in user's hub (issue 12 part 4), and `/ui/confirm-email`, the page
 * behind the change-of-address link. The hub works on the browser's session cookie; every form
 * is same-origin only (http/csrf.ts `reject`) and carries a token bound to the session (HMAC),
 * and each calls the same services as the `/v1` API.
 */
export function accountHubRoutes(deps: AccountHubRoutesDeps) {
  const { accounts } = deps
  const translate = deps.translate ?? pageTranslator('en')
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    app.setErrorHandler(pageErrorHandlerFor(translate))
    const onRequest = app.rateLimit(deps.rateLimit)
    const config = { csrf: 'reject' } as const

    const csrfOf = (auth: Authenticated) => createHmac('sha256', deps.csrfKey).update(`account\u0000${auth.session.id}`).digest('base64url')

    /** The browser's live session, or null (none, expired, revoked). Two session cookies are refused. */
    const signedIn = async (request: FastifyRequest): Promise<Authenticated | null> => {
      const token = sessionTokenFromCookie(request.headers.cookie, deps.cookie.name)
      if (token === null) return null
      try {
        return await deps.sessions.authenticate(token)
      } catch {
        return null
      }
    }

    const render = async (
      reply: FastifyReply,
      auth: Authenticated,
      t: Translator,
      status: number,
      notes: { notice?: string; error?: string },
    ) => {
      const live = await deps.sessions.listLive(auth.user.id)
      return sendPage(
        reply,
        status,
        accountHubPage({
          user: { id: auth.user.id, email: auth.user.email, emailVerified: auth.user.emailVerified, createdAt: iso(auth.user.createdAt) },
          sessions: live.map((session) => ({
            id: session.id,
            current: session.id === auth.session.id,
            userAgent: session.userAgent,
            ip: session.ip,
            createdAt: iso(session.createdAt),
            lastActiveAt: iso(session.lastActiveAt),
          })),
          csrf: csrfOf(auth),
          notice: notes.notice ?? null,
          error: notes.error ?? null,
          t,
        }),
      )
    }

    app.get('/ui/account', async (request, reply) => {
      const t = translate(request)
      const auth = await signedIn(request)
      // Opened without a session (a bookmark, a link in a message): sign in here, then come back.
      if (!auth) return deps.signIn(request, reply, '/ui/account')
      const done = field(request.query, 'done')
      const notice = done && Object.hasOwn(NOTICES, done) ? t.t(NOTICES[done as Done]) : undefined
      return render(reply, auth, t, 200, notice ? { notice } : {})
    })

    /** One form of the hub: signed in, the session's token, one service call, then back to the hub. */
    const form = (
      path: string,
      done: Done,
      act: (auth: Authenticated, body: unknown, actor: Actor, reply: FastifyReply) => Promise<void>,
    ) =>
      app.post(path, { config, onRequest }, async (request, reply) => {
        const t = translate(request)
        const auth = await signedIn(request)
        if (!auth) return sendPage(reply, 401, signInFirstPage(t))
        const token = field(request.body, 'csrf') ?? ''
        // OWASP CSRF Prevention Cheat Sheet: a synchronizer token, compared in constant time.
        if (token.length > 64 || !digestsEqual(sha256(token), sha256(csrfOf(auth)))) throw new TesseraError('csrf_token_invalid')
        const actor: Actor = { kind: 'user', id: auth.user.id, ip: request.ip, locale: t.locale }
        try {
          await act(auth, request.body, actor, reply)
        } catch (error) {
          if (!isTesseraError(error) || !FORM_ERRORS.includes(error.code)) throw error
          if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter))
          return render(reply, auth, t, error.status, { error: pageMessage(t, error.code, error.message) })
        }
        if (reply.sent) return reply
        return reply.redirect(`/ui/account?done=${done}`, 303)
      })

    form('/ui/account/verify-email', 'verification', (auth, _body, actor) => accounts.verification.request(auth.user.id, actor))

    form('/ui/account/email', 'email', (auth, body, actor) =>
      accounts.changes.requestEmailChange(
        { userId: auth.user.id, sessionId: auth.session.id, authTime: auth.session.authTime },
        { email: (field(body, 'email') ?? '').slice(0, 320) },
        actor,
      ),
    )

    form('/ui/account/password', 'password', (auth, body, actor) =>
      accounts.changes.changePassword(
        { userId: auth.user.id, sessionId: auth.session.id, authTime: auth.session.authTime },
        // The hosted form always asks for the current password (OWASP Authentication Cheat Sheet).
        {
          currentPassword: (field(body, 'currentPassword') ?? '').slice(0, 4096),
          newPassword: (field(body, 'newPassword') ?? '').slice(0, 4096),
        },
        actor,
      ),
    )

    form('/ui/account/sessions/revoke', 'revoked', async (auth, body, actor, reply) => {
      const id = (field(body, 'sessionId') ?? '').slice(0, 64)
      await deps.sessions.revoke(id, { ownerId: auth.user.id, reason: 'revoked_by_user', actor })
      if (id === auth.session.id) reply.clearCookie(deps.cookie.name, cookieOptions(deps.cookie))
    })

    app.get('/ui/confirm-email', async (request, reply) => {
      const t = translate(request)
      const token = (field(request.query, 'token') ?? '').slice(0, 200)
      if (!token) return sendPage(reply, 400, accountLinkErrorPage(t.t('error.account_token_invalid'), t))
      return sendPage(reply, 200, confirmEmailPage({ token, t }))
    })

    app.post('/ui/confirm-email', { config, onRequest }, async (request, reply) => {
      const t = translate(request)
      try {
        const token = (field(request.body, 'token') ?? '').slice(0, 200)
        const user = await accounts.changes.confirmEmailChange(token, { kind: 'anonymous', ip: request.ip, locale: t.locale })
        return sendPage(reply, 200, emailChangedPage({ email: user.email, t }))
      } catch (error) {
        if (!isTesseraError(error) || !LINK_ERRORS.includes(error.code)) throw error
        return sendPage(reply, error.status, accountLinkErrorPage(pageMessage(t, error.code, error.message), t))
      }
    })
  }
}
