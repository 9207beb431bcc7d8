import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { authorizationResponseUrl } from '../authorize/authorize-decision.js'
import { browserSession } from '../authorize/browser-binding.js'
import { acceptFormBodiesOnly } from '../http/form-body.js'
import { field } from '../http/form-field.js'
import { type CookieSettings, cookieOptions } from '../sessions/session-cookie.js'
import type { SessionService } from '../sessions/session-service.js'
import { pageErrorHandler } from '../ui/error-page.js'
import { cspSourceOf, sendPage } from '../ui/html.js'
import { errorPage, logoutConfirmPage, signedOutPage } from '../ui/pages.js'
import type { LogoutService } from './logout-service.js'

export interface LogoutRoutesDeps {
  logout: LogoutService
  sessions: SessionService
  cookie: CookieSettings
}

const INVALID = 'The sign-out request is not valid. You have not been signed out.'

/**
 * OIDC RP-Initiated Logout 1.0 at `GET` and `POST /oauth/logout`. With a valid id_token_hint the
 * session it names is revoked at once; without one, a signed-in user confirms first, so a
 * cross-site link cannot sign anyone out (logout CSRF, §6).
 */
export function logoutRoutes(deps: LogoutRoutesDeps) {
  return async (app: FastifyInstance) => {
    await acceptFormBodiesOnly(app)
    app.setErrorHandler(pageErrorHandler)

    const handle = async (request: FastifyRequest, reply: FastifyReply, source: unknown) => {
      const checked = await deps.logout.check({
        idTokenHint: field(source, 'id_token_hint'),
        clientId: field(source, 'client_id'),
        postLogoutRedirectUri: field(source, 'post_logout_redirect_uri'),
        state: field(source, 'state'),
      })
      if (!checked) return sendPage(reply, 400, errorPage(INVALID))

      const auth = await browserSession(request, deps.cookie, deps.sessions)
      const confirmed =
        checked.hint !== null ||
        (request.method === 'POST' && auth !== null && !request.crossSite && deps.logout.confirms(field(source, 'csrf'), auth.session.id))
      if (!confirmed && auth) {
        const fields: Record<string, string> = {}
        if (checked.application) fields.client_id = checked.application.id
        if (checked.postLogoutRedirectUri !== null) fields.post_logout_redirect_uri = checked.postLogoutRedirectUri
        if (checked.state !== null) fields.state = checked.state
        const target = checked.postLogoutRedirectUri !== null ? cspSourceOf(checked.postLogoutRedirectUri) : null
        const page = logoutConfirmPage({ csrf: deps.logout.confirmationToken(auth.session.id), fields })
        return sendPage(reply, 200, page, target ? [target] : [])
      }

      const revoked = await deps.logout.signOut(checked, auth)
      if (auth && revoked.has(auth.session.id)) reply.clearCookie(deps.cookie.name, cookieOptions(deps.cookie))
      if (checked.postLogoutRedirectUri !== null)
        return reply.redirect(authorizationResponseUrl(checked.postLogoutRedirectUri, { state: checked.state }), 303)
      return sendPage(reply, 200, signedOutPage())
    }

    app.get('/oauth/logout', async (request, reply) => handle(request, reply, request.query))
    // A relying party may post its logout request from its own site; such a post is served, but
    // marked (http/csrf.ts), so it cannot confirm a sign-out without a hint.
    app.post('/oauth/logout', { config: { csrf: 'mark' } }, async (request, reply) => handle(request, reply, request.body))
  }
}
