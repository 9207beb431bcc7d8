import type { Api } from '../apis/api.js'
import type { Application } from '../applications/application.js'
import { TesseraError } from '../shared/errors.js'

/** The scopes OpenID Connect defines that Tessera implements (OIDC Core §5.4, §11). */
export const OPENID_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const

export function isOpenIdScope(scope: string): boolean {
  return (OPENID_SCOPES as readonly string[]).includes(scope)
}

/** The scopes of an access token for an API: everything that is not an OpenID scope. */
export function apiScopesOf(scope: string[]): string[] {
  return scope.filter((each) => !isOpenIdScope(each))
}

/** RFC 6749 §3.3: a space-delimited list; empty or repeated spaces are malformed. */
export function parseScope(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined
  if (!/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(value)) {
    throw new TesseraError('invalid_scope', { detail: 'scope must be space-separated scope tokens' })
  }
  return [...new Set(value.split(' '))]
}

/** The most a token for this API and application could carry: the API's scopes the application is registered for. */
function ceiling(api: Api, application: Application): string[] {
  return api.scopes.filter((scope) => application.scopes.includes(scope))
}

/**
 * Checks a request against the ceiling (the API's scopes the application is allowed) and returns
 * what to grant from: the request, or the whole ceiling when nothing was requested. A request
 * outside the ceiling is refused (RFC 6749 §5.2 invalid_scope), never silently narrowed.
 */
export function requestScope(requested: string[] | undefined, api: Api, application: Application): string[] {
  const allowed = ceiling(api, application)
  if (requested === undefined) return allowed
  const refused = requested.filter((scope) => !allowed.includes(scope))
  if (refused.length > 0) {
    throw new TesseraError('invalid_scope', { detail: `not allowed for this application and API: ${refused.join(' ').slice(0, 200)}` })
  }
  return requested
}

/**
 * The one rule every grant uses for a token's scope: the intersection of the candidate (what was
 * requested, or the refresh family's scope), the API's scopes, the application's scopes and the
 * permissions the subject's roles grant on the API. A scope within the ceiling that no role grants
 * is dropped silently (RFC 6749 §3.3 lets the server issue less than requested; the response's
 * `scope` says what was granted). The result may be empty.
 */
export function grantScope(candidate: readonly string[], api: Api, application: Application, granted: readonly string[]): string[] {
  const allowed = ceiling(api, application)
  return candidate.filter((scope) => allowed.includes(scope) && granted.includes(scope))
}

/** A refresh may narrow the scope of its family, never widen it (RFC 6749 §6). */
export function narrowScope(requested: string[] | undefined, granted: string[]): string[] {
  if (requested === undefined) return granted
  const wider = requested.filter((scope) => !granted.includes(scope))
  if (wider.length > 0) throw new TesseraError('invalid_scope', { detail: 'a refresh cannot widen the scope' })
  return requested
}
