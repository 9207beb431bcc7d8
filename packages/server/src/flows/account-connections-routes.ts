import { createHmac } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Connection, Identity } from '../connections/connection.js'
import type { PendingUpstream } from '../connections/upstream-client.js'
import type { UpstreamFailure } from '../connections/upstream-failure.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import { field } from '../http/form-field.js'
import type { CookieSettings } from '../sessions/session-cookie.js'
import type { Authenticated, SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { digestsEqual, sha256 } from '../shared/digest.js'
import { ERRORS, type ErrorCode, isTesseraError, TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import { accountConnectionsPage } from '../ui/account-connections-page.js'
import { pageErrorHandlerFor, pageMessage, sendErrorPage } from '../ui/error-page.js'
import { sendPage } from '../ui/html.js'
import { type PageTranslator, pageTranslator } from '../ui/page-translator.js'
import { browserSession, ensureBinding } from './browser-binding.js'
import type { FlowService } from './flow-service.js'

export interface AccountConnectionsRoutesDeps {
  flows: FlowService
  connections: { list(): Promise<Connection[]>; get(id: string): Promise<Connection> }
  client: {
    begin(
      connection: Connection,
      state: string,
    ): Promise<{ ok: true; url: string; pending: PendingUpstream } | { ok: false; failure: UpstreamFailure }>
  }
  identities: {
    listForUser(userId: string): Promise<Identity[]>
    unlink(userId: string, identityId: string, actor: { kind: 'user'; id: string; ip?: string }, ip: string | null): Promise<void>
    hasPassword(userId: string): Promise<boolean>
  }
  recordFailure(connectionId: string, failure: UpstreamFailure, ip: string | null): Promise<void>
  sessions: SessionService
  cookie: CookieSettings
  random: RandomSource
  clock: Clock
  /** Keys the page's CSRF token (a subkey of the master key). */
  csrfKey: Buffer
  rateLimit: { max: number; timeWindow: number }
  /** Chooses each page's language (i18n/); English when absent. */
  translate?: PageTranslator
}

const CONNECTION_ID = /^con_[A-Za-z0-9_-]{22}$/

/**
 * `/ui/account/connections` (issue 15 §3): a signed-in user lists, links and unlinks upstream
 * identities. Linking is the same round trip as a sign-in (flows/upstream-routes.ts finishes it),
 * in a flow bound to this browser and to this user; unlinking keeps at least one way to sign in.
 */
export function accountConnectionsRoutes(deps: AccountConnectionsRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    const translate = deps.translate ?? pageTranslator('en')
    app.setErrorHandler(pageErrorHandlerFor(translate))
    /** An error's message in the page's language (its catalogue entry, else the error table's title). */
    const say = (request: FastifyRequest, code: ErrorCode) => pageMessage(translate(request), code, ERRORS[code].title)
    const onRequest = app.rateLimit(deps.rateLimit)

    /** OWASP CSRF Prevention Cheat Sheet: a token bound to the session (HMAC), besides the same-origin check. */
    const csrfOf = (auth: Authenticated) =>
      createHmac('sha256', deps.csrfKey).update(`account-connections\u0000${auth.session.id}`).digest('base64url')

    const signedIn = async (request: FastifyRequest, reply: FastifyReply) => {
      const auth = await browserSession(request, deps.cookie, deps.sessions)
      if (!auth) {
        const t = translate(request)
        sendErrorPage(reply, new TesseraError('unauthenticated'), t.t('accountConnections.signInFirst'), t)
      }
      return auth
    }

    const render = async (reply: FastifyReply, auth: Authenticated, status: number, notes: { message?: string; error?: string }) => {
      const t = translate(reply.request)
      const connections = await deps.connections.list()
      const linked = await deps.identities.listForUser(auth.user.id)
      const names = new Map(connections.map((connection) => [connection.id, connection.name]))
      return sendPage(
        reply,
        status,
        accountConnectionsPage({
          email: auth.user.email,
          csrf: csrfOf(auth),
          linked: linked.map((identity) => ({
            id: identity.id,
            connectionName: names.get(identity.connectionId) ?? t.t('accountConnections.removedProvider'),
            email: identity.email,
            linkedAt: new Date(identity.createdAt).toISOString().slice(0, 10),
          })),
          available: connections
            .filter((connection) => connection.enabled && !linked.some((identity) => identity.connectionId === connection.id))
            .map(({ id, name }) => ({ id, name })),
          hasPassword: await deps.identities.hasPassword(auth.user.id),
          message: notes.message ?? null,
          error: notes.error ?? null,
          t,
        }),
      )
    }

    app.get('/ui/account/connections', async (request, reply) => {
      const auth = await signedIn(request, reply)
      if (!auth) return reply
      const linked = field(request.query, 'linked') === '1'
      return render(reply, auth, 200, linked ? { message: translate(request).t('accountConnections.linked') } : {})
    })

    app.get('/ui/account/connections/:connectionId/link', { onRequest }, async (request, reply) => {
      const auth = await signedIn(request, reply)
      if (!auth) return reply
      const { connectionId } = request.params as { connectionId: string }
      const connection = CONNECTION_ID.test(connectionId) ? await deps.connections.get(connectionId).catch(() => null) : null
      if (!connection?.enabled)
        return sendErrorPage(reply, new TesseraError('connection_not_found'), say(request, 'connection_not_found'), translate(request))
      const binding = ensureBinding(request, reply, deps.cookie, deps.random)
      const flow = deps.flows.start('login', {
        next: [],
        userId: auth.user.id,
        sessionId: auth.session.id,
        context: { linking: { userId: auth.user.id } },
      })
      const secret = randomToken(deps.random, 32)
      const begun = await deps.client.begin(connection, `${flow.id}.${secret}`)
      if (!begun.ok) {
        await deps.recordFailure(connection.id, begun.failure, request.ip)
        return sendErrorPage(reply, new TesseraError(begun.failure.code), say(request, begun.failure.code), translate(request))
      }
      const round = { connectionId: connection.id, stateHash: sha256(secret), ...begun.pending, startedAt: deps.clock.now() }
      await deps.flows.save({ ...flow, context: { ...flow.context, upstream: round } }, flow, binding)
      return reply.redirect(begun.url, 303)
    })

    app.post('/ui/account/connections/unlink', { config: { csrf: 'reject' }, onRequest }, async (request, reply) => {
      const auth = await signedIn(request, reply)
      if (!auth) return reply
      const token = field(request.body, 'csrf') ?? ''
      if (token.length > 64 || !digestsEqual(sha256(token), sha256(csrfOf(auth)))) throw new TesseraError('csrf_token_invalid')
      try {
        await deps.identities.unlink(auth.user.id, field(request.body, 'identity') ?? '', { kind: 'user', id: auth.user.id }, request.ip)
      } catch (error) {
        if (!isTesseraError(error) || (error.code !== 'last_sign_in_method' && error.code !== 'identity_not_found')) throw error
        return render(reply, auth, error.status, { error: say(request, error.code) })
      }
      return render(reply, auth, 200, { message: translate(request).t('accountConnections.unlinked') })
    })
  }
}
