import formbody from '@fastify/formbody'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ApplicationService } from '../applications/application-service.js'
import { authorizationResponseUrl } from '../authorize/authorize-decision.js'
import { csrfToken } from '../authorize/authorize-service.js'
import { browserSession } from '../authorize/browser-binding.js'
import { isCrossSite } from '../http/csrf.js'
import type { KeyService } from '../keys/key-service.js'
import { type CookieSettings, cookieOptions } from '../sessions/session-cookie.js'
import type { SessionService } from '../sessions/session-service.js'
import { digestsEqual } from '../shared/digest.js'
import { isTesseraError } from '../shared/errors.js'
import { verifyIdTokenHint } from '../tokens/id-token-hint.js'
import { cspSourceOf, sendPage } from '../ui/html.js'
import { errorPage, logoutConfirmPage, signedOutPage } from '../ui/pages.js'
import { field } from '../ui/ui-routes.js'

export interface LogoutRoutesDeps {
  issuer: string
  keys: KeyService
  applications: ApplicationService
  sessions: SessionService
  cookie: CookieSettings
  trustedOrigins: ReadonlySet<string>
  csrfKey: Buffer
}

const INVALID = 'The sign-out request is not valid. You have not been signed out.'

/**
 * OIDC RP-Initiated Logout 1.0 at `GET` and `POST /oauth/logout`. With a valid id_token_hint the
 * session it names is revoked at once; without one, the user confirms first, so a cross-site link
 * cannot sign anyone out (logout CSRF, RP-Initiated Logout §6). Revoking the session revokes
 * every token bound to it (DESIGN.md §2).
 */
export function logoutRoutes(deps: LogoutRoutesDeps) {
  return async (app: FastifyInstance) => {
    app.removeContentTypeParser('application/json')
    await app.register(formbody, { bodyLimit: 16 * 1024 })

    const handle = async (request: FastifyRequest, reply: FastifyReply, source: unknown) => {
      const rawHint = field(source, 'id_token_hint')
      const hint = rawHint !== undefined ? await verifyIdTokenHint(rawHint, deps) : null
      if (rawHint !== undefined && !hint) return sendPage(reply, 400, errorPage(INVALID))
      const clientIdParam = field(source, 'client_id')
      // §2: when both are given, client_id must be the hint's audience.
      if (hint && clientIdParam !== undefined && clientIdParam !== hint.aud) return sendPage(reply, 400, errorPage(INVALID))
      const clientId = hint?.aud ?? clientIdParam
      const application = clientId !== undefined && clientId.length <= 64 ? await deps.applications.find(clientId) : null
      if (clientId !== undefined && !application) return sendPage(reply, 400, errorPage(INVALID))
      const postLogout = field(source, 'post_logout_redirect_uri')
      // §3: exact match against the client's registration; otherwise never redirect.
      if (postLogout !== undefined && !application?.postLogoutRedirectUris.includes(postLogout))
        return sendPage(reply, 400, errorPage(INVALID))
      const state = field(source, 'state')?.slice(0, 2048)

      const auth = await browserSession(request, deps.cookie, deps.sessions)
      const expected = auth ? csrfToken(deps.csrfKey, 'logout', auth.session.id) : null
      const csrf = field(source, 'csrf')
      const confirmed =
        hint !== null ||
        (request.method === 'POST' &&
          !isCrossSite(request.headers, deps.trustedOrigins) &&
          expected !== null &&
          csrf !== undefined &&
          digestsEqual(csrf, expected))
      if (!confirmed && auth && expected) {
        const fields: Record<string, string> = {}
        if (application) fields.client_id = application.id
        if (postLogout !== undefined) fields.post_logout_redirect_uri = postLogout
        if (state !== undefined) fields.state = state
        const target = postLogout !== undefined ? cspSourceOf(postLogout) : null
        return sendPage(reply, 200, logoutConfirmPage({ csrf: expected, fields }), target ? [target] : [])
      }

      const sids = new Set<string>()
      if (hint?.sid) sids.add(hint.sid)
      if (auth && (!hint || hint.sub === auth.user.id)) sids.add(auth.session.id)
      for (const sid of sids) {
        try {
          await deps.sessions.revoke(sid, { reason: 'sign_out', actor: { kind: 'user', id: hint?.sub ?? auth?.user.id ?? '' } })
        } catch (error) {
          // Already signed out, expired, or unknown: the goal is reached.
          if (!isTesseraError(error) || error.code !== 'session_not_found') throw error
        }
      }
      if (auth && sids.has(auth.session.id)) reply.clearCookie(deps.cookie.name, cookieOptions(deps.cookie))
      if (postLogout !== undefined) return reply.redirect(authorizationResponseUrl(postLogout, { state }), 303)
      return sendPage(reply, 200, signedOutPage())
    }

    app.get('/oauth/logout', async (request, reply) => handle(request, reply, request.query))
    app.post('/oauth/logout', async (request, reply) => handle(request, reply, request.body))
  }
}
