import type { Application } from '../applications/application.js'
import type { ApplicationService } from '../applications/application-service.js'
import type { KeyService } from '../keys/key-service.js'
import type { Authenticated, SessionService } from '../sessions/session-service.js'
import { isTesseraError } from '../shared/errors.js'
import { type IdTokenHint, verifyIdTokenHint } from '../tokens/id-token-hint.js'

export interface LogoutServiceDeps {
  issuer: string
  keys: KeyService
  applications: ApplicationService
  sessions: SessionService
}

export interface LogoutParameters {
  idTokenHint: string | undefined
  clientId: string | undefined
  postLogoutRedirectUri: string | undefined
  state: string | undefined
}

/** A logout request whose every part has been checked. */
export interface LogoutRequest {
  hint: IdTokenHint | null
  application: Application | null
  postLogoutRedirectUri: string | null
  state: string | null
}

export type LogoutService = ReturnType<typeof createLogoutService>

/** OIDC RP-Initiated Logout 1.0: the checks of the request, and the sign-out itself. */
export function createLogoutService(deps: LogoutServiceDeps) {
  return {
    /** The checked request, or null when it is not valid (an error page; nobody is signed out). */
    async check(params: LogoutParameters): Promise<LogoutRequest | null> {
      // §2: the hint must be an ID token we issued (signature, issuer); an expired one is fine.
      const hint = params.idTokenHint !== undefined ? await verifyIdTokenHint(params.idTokenHint, deps) : null
      if (params.idTokenHint !== undefined && !hint) return null
      // §2: when both are given, client_id must be the hint's audience.
      if (hint && params.clientId !== undefined && params.clientId !== hint.aud) return null
      const clientId = hint?.aud ?? params.clientId
      const application = clientId !== undefined && clientId.length <= 64 ? await deps.applications.find(clientId) : null
      if (clientId !== undefined && !application) return null
      // §3: exact match against the client's registration, or no redirect at all.
      const uri = params.postLogoutRedirectUri
      if (uri !== undefined && !application?.postLogoutRedirectUris.includes(uri)) return null
      return { hint, application, postLogoutRedirectUri: uri ?? null, state: params.state?.slice(0, 2048) ?? null }
    },

    /**
     * Revokes the session the hint names, and the browser's own session unless it belongs to
     * someone else; returns the ids revoked. Revoking a session revokes its tokens (docs/architecture.md §2).
     */
    async signOut(request: LogoutRequest, browser: Authenticated | null): Promise<Set<string>> {
      const sids = new Set<string>()
      if (request.hint?.sid) sids.add(request.hint.sid)
      if (browser && (!request.hint || request.hint.sub === browser.user.id)) sids.add(browser.session.id)
      const actorId = request.hint?.sub ?? browser?.user.id ?? ''
      for (const sid of sids) {
        try {
          await deps.sessions.revoke(sid, { reason: 'sign_out', actor: { kind: 'user', id: actorId } })
        } catch (error) {
          // Already signed out, expired or unknown: the goal is reached.
          if (!isTesseraError(error) || error.code !== 'session_not_found') throw error
        }
      }
      return sids
    },
  }
}
