import type { Api } from '../apis/api.js'
import type { Application } from '../applications/application.js'
import { TesseraError } from '../shared/errors.js'

/** RFC 6749 §3.3: a space-delimited list; empty or repeated spaces are malformed. */
export function parseScope(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined
  if (!/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(value)) {
    throw new TesseraError('invalid_scope', { detail: 'scope must be space-separated scope tokens' })
  }
  return [...new Set(value.split(' '))]
}

/**
 * What a token may carry for an API: the scopes the API defines and the application is
 * allowed. A request asking for more is refused (invalid_scope), never silently narrowed;
 * no request means everything allowed. Later, roles narrow this further (RBAC issue).
 */
export function grantScope(requested: string[] | undefined, api: Api, application: Application): string[] {
  const allowed = api.scopes.filter((scope) => application.scopes.includes(scope))
  if (requested === undefined) return allowed
  const refused = requested.filter((scope) => !allowed.includes(scope))
  if (refused.length > 0) {
    throw new TesseraError('invalid_scope', { detail: `not allowed for this application and API: ${refused.join(' ').slice(0, 200)}` })
  }
  return requested
}

/** A refresh may narrow the scope of its family, never widen it (RFC 6749 §6). */
export function narrowScope(requested: string[] | undefined, granted: string[]): string[] {
  if (requested === undefined) return granted
  const wider = requested.filter((scope) => !granted.includes(scope))
  if (wider.length > 0) throw new TesseraError('invalid_scope', { detail: 'a refresh cannot widen the scope' })
  return requested
}
