import type { FastifyInstance, FastifyReply } from 'fastify'
import { type Connection, shownFor } from '../connections/connection.js'
import type { PendingUpstream, UpstreamResult } from '../connections/upstream-client.js'
import type { UpstreamFailure } from '../connections/upstream-failure.js'
import { field } from '../http/form-field.js'
import { requestDevice } from '../http/request-device.js'
import { type CookieSettings, cookieOptions } from '../sessions/session-cookie.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { digestsEqual, sha256 } from '../shared/digest.js'
import { ERRORS, isTesseraError, TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import { continueToApplicationPage } from '../ui/connection-pages.js'
import { pageErrorHandlerFor, pageMessage, sendErrorPage } from '../ui/error-page.js'
import { sendPage } from '../ui/html.js'
import { type PageTranslator, pageTranslator } from '../ui/page-translator.js'
import { browserSession, readBinding } from './browser-binding.js'
import type { Flow, VerifiedUpstream } from './flow.js'
import { redirectTo } from './flow-pages.js'
import type { FlowService } from './flow-service.js'
import type { LoginFlow } from './login-flow.js'
import type { UpstreamApi } from './upstream-api.js'

export interface UpstreamRoutesDeps {
  flows: FlowService
  login: LoginFlow
  connections: { get(id: string): Promise<Connection> }
  client: {
    begin(
      connection: Connection,
      state: string,
    ): Promise<{ ok: true; url: string; pending: PendingUpstream } | { ok: false; failure: UpstreamFailure }>
    finish(connection: Connection, query: URLSearchParams, state: string, pending: PendingUpstream): Promise<UpstreamResult>
  }
  /** Links an identity to a signed-in user who started the round trip from the account page. */
  linkFromAccount(userId: string, profile: VerifiedUpstream, ip: string | null): Promise<void>
  /** Records a failed round trip (event `sign_in.upstream_failed`): the reason, never a token. */
  recordFailure(connectionId: string, failure: UpstreamFailure, ip: string | null): Promise<void>
  /** Round trips started by first-party apps over the flow API. */
  api: Pick<UpstreamApi, 'answer'>
  sessions: SessionService
  cookie: CookieSettings
  random: RandomSource
  clock: Clock
  rateLimit: { max: number; timeWindow: number }
  /** Chooses each page's language (i18n/); English when absent. */
  translate?: PageTranslator
}

/** `state` = the flow's id and a secret whose hash the flow keeps (RFC 6749 §10.12, RFC 9700 §4.7.1). */
const STATE = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/
const CONNECTION_ID = /^con_[A-Za-z0-9_-]{22}$/

/**
 * The upstream round trip as part of the login flow (issue 15): `GET /ui/connections/{id}/start`
 * sends the browser to the upstream with `state`, `nonce` and a PKCE challenge kept in the flow;
 * `GET /oauth/callback/{id}` (the redirect URI registered upstream) checks that the answer belongs to
 * a round trip this browser started, uses it once, redeems the code, and runs the `upstream` step.
 * Every refusal is a clear page; nothing is created before every check has passed.
 */
export function upstreamRoutes(deps: UpstreamRoutesDeps) {
  return async (app: FastifyInstance) => {
    const translate = deps.translate ?? pageTranslator('en')
    app.setErrorHandler(pageErrorHandlerFor(translate))
    const onRequest = app.rateLimit(deps.rateLimit)

    const refuse = (reply: FastifyReply, error: TesseraError) => {
      const t = translate(reply.request)
      return sendErrorPage(reply, error, `${pageMessage(t, error.code, `${ERRORS[error.code].title}.`)} ${t.t('error.back')}`, t)
    }

    app.get('/ui/connections/:connectionId/start', { onRequest }, async (request, reply) => {
      const { connectionId } = request.params as { connectionId: string }
      const binding = readBinding(request, deps.cookie)
      const flow = await deps.flows.load(field(request.query, 'request'), binding, 'login')
      const connection = CONNECTION_ID.test(connectionId) ? await deps.connections.get(connectionId).catch(() => null) : null
      if (!connection || !shownFor(connection, flow.clientId)) return refuse(reply, new TesseraError('connection_not_found'))
      const secret = randomToken(deps.random, 32)
      const state = `${flow.id}.${secret}`
      const begun = await deps.client.begin(connection, state)
      if (!begun.ok) {
        await deps.recordFailure(connection.id, begun.failure, request.ip)
        return refuse(reply, new TesseraError(begun.failure.code))
      }
      const { nonce, codeVerifier } = begun.pending
      const round = { connectionId: connection.id, stateHash: sha256(secret), nonce, codeVerifier, startedAt: deps.clock.now() }
      await deps.flows.save({ ...flow, context: { ...flow.context, upstream: round } }, flow, binding as string)
      return reply.redirect(begun.url, 303)
    })

    app.get('/oauth/callback/:connectionId', { onRequest }, async (request, reply) => {
      const { connectionId } = request.params as { connectionId: string }
      const query = new URLSearchParams(request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '')
      const state = query.getAll('state')
      const match = state.length === 1 ? STATE.exec(state[0] as string) : null
      const binding = readBinding(request, deps.cookie)
      if (!match) return refuse(reply, new TesseraError('upstream_state_invalid'))
      let flow: Flow
      try {
        flow = await deps.flows.find(match[1] as string, 'login')
      } catch {
        return refuse(reply, new TesseraError('upstream_state_invalid'))
      }
      const round = flow.context.upstream
      if (!round || round.answer || round.connectionId !== connectionId || !digestsEqual(round.stateHash, sha256(match[2] as string)))
        return refuse(reply, new TesseraError('upstream_state_invalid'))
      // A browser's round trip must come back to the browser that started it (RFC 9700 §4.7.1); an
      // app's comes back in whatever browser the app opened, and its answer goes to the app's
      // token holder only (flows/upstream-api.ts).
      if (!round.app && !deps.flows.isBoundTo(flow, binding)) return refuse(reply, new TesseraError('upstream_state_invalid'))
      // Single use: the round trip leaves the flow before its code is redeemed; a replayed or
      // concurrent callback finds nothing (or loses the version race) and is refused.
      const { upstream: _used, ...context } = flow.context
      let consumed: Flow
      try {
        consumed = round.app
          ? await deps.flows.saveKeepingBinding({ ...flow, context }, flow)
          : await deps.flows.save({ ...flow, context }, flow, binding as string)
      } catch {
        return refuse(reply, new TesseraError('upstream_state_invalid'))
      }
      const connection = await deps.connections.get(connectionId).catch(() => null)
      if (!connection || !shownFor(connection, flow.clientId)) return refuse(reply, new TesseraError('connection_not_found'))
      if (round.app) {
        const back = await deps.api.answer(consumed, round, connection, query, state[0] as string, request.ip)
        // The app hears the outcome at its redirect URI; the page only moves the browser on.
        return sendPage(reply, 200, continueToApplicationPage(back, translate(request), 'back'))
      }
      const result = await deps.client.finish(connection, query, state[0] as string, round)
      if (!result.ok) {
        await deps.recordFailure(connection.id, result.failure, request.ip)
        return refuse(reply, new TesseraError(result.failure.code))
      }
      if (consumed.context.linking) {
        // Issue 15 §3, from the account page: the browser must still be signed in as the user who started it.
        const browser = await browserSession(request, deps.cookie, deps.sessions)
        if (browser?.user.id !== consumed.context.linking.userId) return refuse(reply, new TesseraError('upstream_state_invalid'))
        try {
          await deps.linkFromAccount(browser.user.id, result.profile, request.ip)
        } catch (error) {
          if (!isTesseraError(error) || error.status >= 500) throw error
          return refuse(reply, error)
        }
        return reply.redirect('/ui/account/connections?linked=1', 303)
      }
      const withProfile: Flow = { ...consumed, context: { ...consumed.context, upstream: { ...round, verified: result.profile } } }
      try {
        const browser = await browserSession(request, deps.cookie, deps.sessions)
        const { outcome, signedIn } = await deps.login.submit(
          withProfile,
          () => binding as string,
          'upstream',
          {},
          requestDevice(request),
          browser,
        )
        if (signedIn) {
          const maxAge = Math.floor((signedIn.session.absoluteExpiresAt - signedIn.session.createdAt) / 1000)
          reply.setCookie(deps.cookie.name, signedIn.token, cookieOptions(deps.cookie, maxAge))
        }
        if (outcome.kind === 'redirect') return sendPage(reply, 200, continueToApplicationPage(outcome.url, translate(request)))
        return redirectTo(reply, outcome)
      } catch (error) {
        if (!isTesseraError(error) || error.status >= 500) throw error
        await deps.recordFailure(connection.id, { code: 'upstream_rejected', reason: error.code }, request.ip)
        return refuse(reply, error)
      }
    })
  }
}

/** Query helper for tests and pages: the start URL of a connection for a flow. */
export function startUrlOf(connectionId: string, flowId: string): string {
  return `/ui/connections/${connectionId}/start?request=${flowId}`
}
