import { createHmac } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { DeviceAuthorizationService, PendingDeviceAuthorization } from '../authorize/device-authorization-service.js'
import { formatUserCode, normalizeUserCode } from '../authorize/device-user-code.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import { field } from '../http/form-field.js'
import type { Translator } from '../i18n/translator.js'
import { acrOf } from '../sessions/session-acr.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import type { Authenticated, SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { digestsEqual, sha256 } from '../shared/digest.js'
import { TesseraError } from '../shared/errors.js'
import { deviceConfirmPage, deviceDonePage, deviceEntryPage } from '../ui/device-pages.js'
import { pageErrorHandlerFor, pageMessage } from '../ui/error-page.js'
import { sendPage } from '../ui/html.js'
import type { PageTranslator } from '../ui/page-translator.js'
import { browserSession } from './browser-binding.js'

/** A fixed window of a shared counter (rate-limit/), as the composition root hands it in. */
export type CountAttempt = (key: string, windowMs: number, now: number) => Promise<{ count: number; resetAt: number }>

export interface DeviceRoutesDeps {
  devices: Pick<DeviceAuthorizationService, 'pending' | 'decide'>
  sessions: SessionService
  cookie: CookieSettings
  /** The key of the page's CSRF tokens, bound to the session (and to the code on the decision form). */
  csrfKey: Buffer
  clock: Clock
  translate: PageTranslator
  /** Sends the browser to the hosted sign-in, back to `returnTo` (flows/account-sign-in.ts). */
  signIn: (request: FastifyRequest, reply: FastifyReply, returnTo: string, clientId?: string | null) => Promise<FastifyReply>
  /** Whether approving for this client needs a second factor (docs/mfa.md "Policy"). */
  secondFactorRequired: (clientId: string) => Promise<boolean>
  /**
   * `signUp.requireVerifiedEmail`: the session of a user whose address is not verified approves
   * nothing; the page sends them to the hosted sign-in, as `/oauth/authorize` does (flows/login-flow.ts).
   */
  verifiedEmailRequired?: boolean
  /** The per-IP limit of the page's requests (rate-limit/). */
  rateLimit: { max: number; timeWindow: number }
  /** RFC 8628 §5.1: user-code entries allowed per session and per IP in each window; every entry counts. */
  attempts: { perSession: number; perIp: number; windowMs: number; count: CountAttempt }
  /** Counts each entry's outcome for the operator (`tessera_device_code_entries_total`). */
  onEntry?: (outcome: 'accepted' | 'wrong' | 'limited') => void
}

const PAGE = '/ui/device'

/**
 * `/ui/device` (RFC 8628 §3.3): the signed-in user types the code their device shows (or follows
 * `verification_uri_complete`, which only fills it in: §5.4, never an approval by link), sees which
 * application asks for what, and allows or denies. Without a session the page goes through the
 * hosted sign-in and comes back. Every form is same-origin only (http/csrf.ts `reject`) and
 * carries a token bound to the session (OWASP CSRF Prevention Cheat Sheet); the decision's token
 * is bound to the code too, so the decision form cannot be used to guess codes. Code entries are
 * limited per session and per IP in a window shared by every instance (RFC 8628 §5.1).
 */
export function deviceRoutes(deps: DeviceRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    app.setErrorHandler(pageErrorHandlerFor(deps.translate))
    const onRequest = app.rateLimit(deps.rateLimit)
    const config = { csrf: 'reject' } as const

    const signedIn = async (request: FastifyRequest) => {
      const auth = await browserSession(request, deps.cookie, deps.sessions)
      return auth && deps.verifiedEmailRequired && !auth.user.emailVerified ? null : auth
    }
    const mac = (...parts: string[]) => createHmac('sha256', deps.csrfKey).update(parts.join('\u0000')).digest('base64url')
    const entryToken = (auth: Authenticated) => mac('device', auth.session.id)
    const decisionToken = (auth: Authenticated, code: string) => mac('device-decision', auth.session.id, code)
    const tokenMatches = (sent: string | undefined, expected: string) =>
      sent !== undefined && sent.length <= 64 && digestsEqual(sha256(sent), sha256(expected))

    /** The code as the page shows it: formatted when it is one, else nothing (never the raw input echoed back unchecked). */
    const shown = (typed: string | undefined) => {
      const code = typed === undefined ? null : normalizeUserCode(typed)
      return code === null ? '' : formatUserCode(code)
    }
    const returnTo = (code: string) => (code === '' ? PAGE : `${PAGE}?user_code=${code}`)

    const entry = (reply: FastifyReply, auth: Authenticated, t: Translator, status: number, userCode: string, error: string | null) =>
      sendPage(reply, status, deviceEntryPage({ t, email: auth.user.email, csrf: entryToken(auth), userCode, error }))

    /**
     * RFC 8628 §5.1: each entry counts against the session's and the IP's budget, right or wrong.
     * Returns the seconds until the entry may be tried again, or null when it is within budget.
     */
    async function overBudget(request: FastifyRequest, auth: Authenticated): Promise<number | null> {
      const now = deps.clock.now()
      const { windowMs, count } = deps.attempts
      const [session, ip] = await Promise.all([
        count(`device-code:session:${auth.session.id}`, windowMs, now),
        count(`device-code:ip:${request.ip}`, windowMs, now),
      ])
      const over = [
        session.count > deps.attempts.perSession ? session.resetAt : null,
        ip.count > deps.attempts.perIp ? ip.resetAt : null,
      ].filter((resetAt): resetAt is number => resetAt !== null)
      return over.length === 0 ? null : Math.max(1, Math.ceil((Math.max(...over) - now) / 1000))
    }

    app.get(PAGE, { onRequest }, async (request, reply) => {
      const code = shown(field(request.query, 'user_code'))
      const auth = await signedIn(request)
      if (!auth) return deps.signIn(request, reply, returnTo(code))
      // verification_uri_complete only fills the form in: the user still confirms twice (RFC 8628 §5.4).
      return entry(reply, auth, deps.translate(request), 200, code, null)
    })

    app.post(PAGE, { config, onRequest }, async (request, reply) => {
      const t = deps.translate(request)
      const typed = field(request.body, 'user_code')
      const auth = await signedIn(request)
      if (!auth) return deps.signIn(request, reply, returnTo(shown(typed)))
      if (!tokenMatches(field(request.body, 'csrf'), entryToken(auth))) throw new TesseraError('csrf_token_invalid')
      const retryAfter = await overBudget(request, auth)
      if (retryAfter !== null) {
        deps.onEntry?.('limited')
        const refused = new TesseraError('too_many_attempts', { retryAfter })
        reply.header('retry-after', String(retryAfter))
        return entry(reply, auth, t, refused.status, '', pageMessage(t, refused.code, refused.message))
      }
      const pending = typed === undefined ? null : await deps.devices.pending(typed)
      deps.onEntry?.(pending ? 'accepted' : 'wrong')
      if (!pending) {
        const refused = new TesseraError('user_code_invalid')
        return entry(reply, auth, t, refused.status, shown(typed), pageMessage(t, refused.code, refused.message))
      }
      if (await needsSecondFactor(auth, pending)) return deps.signIn(request, reply, returnTo(shown(typed)), pending.application.id)
      const code = normalizeUserCode(typed as string) as string
      return sendPage(
        reply,
        200,
        deviceConfirmPage({
          t,
          email: auth.user.email,
          csrf: decisionToken(auth, code),
          userCode: formatUserCode(code),
          appName: pending.application.name,
          scope: pending.authorization.scope,
          apiName: pending.api?.name ?? null,
        }),
      )
    })

    app.post(`${PAGE}/decision`, { config, onRequest }, async (request, reply) => {
      const t = deps.translate(request)
      const auth = await signedIn(request)
      const code = normalizeUserCode(field(request.body, 'user_code') ?? '')
      if (!auth) return deps.signIn(request, reply, returnTo(code === null ? '' : formatUserCode(code)))
      // The token names this session and this code: no other code can be tried through this form.
      if (code === null || !tokenMatches(field(request.body, 'csrf'), decisionToken(auth, code)))
        throw new TesseraError('csrf_token_invalid')
      const decision = field(request.body, 'decision')
      if (decision !== 'allow' && decision !== 'deny') throw new TesseraError('invalid_request')
      const pending = await deps.devices.pending(code)
      const invalid = () => {
        const refused = new TesseraError('user_code_invalid')
        return entry(reply, auth, t, refused.status, '', pageMessage(t, refused.code, refused.message))
      }
      if (!pending) return invalid()
      if (decision === 'allow' && (await needsSecondFactor(auth, pending)))
        return deps.signIn(request, reply, returnTo(formatUserCode(code)), pending.application.id)
      const by = { sessionId: auth.session.id, userId: auth.user.id, authTime: auth.session.authTime, amr: auth.session.amr }
      const actor = { kind: 'user' as const, id: auth.user.id, ip: request.ip }
      if (!(await deps.devices.decide(pending.authorization, decision === 'allow' ? 'approve' : 'deny', by, actor))) return invalid()
      return sendPage(reply, 200, deviceDonePage({ approved: decision === 'allow', appName: pending.application.name, t }))
    })

    /** docs/mfa.md "Policy": a one-factor session cannot approve for a client that requires a second factor. */
    async function needsSecondFactor(auth: Authenticated, pending: PendingDeviceAuthorization): Promise<boolean> {
      return acrOf(auth.session.amr) === 'urn:tessera:acr:sfa' && (await deps.secondFactorRequired(pending.application.id))
    }
  }
}
