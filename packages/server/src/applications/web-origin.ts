import { TesseraError } from '../shared/errors.js'
import type { Application, ApplicationType } from './application.js'

/** The most web origins one application may list. */
export const MAX_WEB_ORIGINS = 20

/** Application types a browser page may call the token endpoints for (docs/connect-an-app.md). */
export function mayHaveWebOrigins(type: ApplicationType): boolean {
  return type === 'spa' || type === 'web' || type === 'native'
}

/**
 * Registration-time check of an allowed web origin. An origin is a scheme, a host and a port
 * (RFC 6454 §4), written as a browser sends it in `Origin` (RFC 6454 §6.1): no path, no trailing
 * slash, no default port, no user info, no wildcard. https only, except loopback hosts for
 * development (the same rule as redirect URIs, RFC 9700 §2.1). Returns the origin lower-cased.
 */
export function checkWebOrigin(value: string): string {
  if (value.includes('*')) throw invalid(value, 'wildcards are not allowed')
  const url = URL.canParse(value) ? new URL(value) : null
  if (!url || url.origin === 'null') throw invalid(value, 'not an origin (scheme://host[:port])')
  if (value.toLowerCase() !== url.origin.toLowerCase()) {
    throw invalid(value, 'an origin is scheme://host[:port] only: no path, no trailing slash, no default port')
  }
  const loopback = url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)
  if (url.protocol !== 'https:' && !loopback) throw invalid(value, 'must be https (or http on a loopback host)')
  return url.origin
}

/** The checked, de-duplicated list an operator set for an application of `type`. */
export function checkWebOrigins(values: readonly string[], type: ApplicationType): string[] {
  if (values.length > 0 && !mayHaveWebOrigins(type)) {
    throw new TesseraError('invalid_request', { detail: `a ${type} application has no web origins` })
  }
  const origins = [...new Set(values.map(checkWebOrigin))]
  if (origins.length > MAX_WEB_ORIGINS) throw new TesseraError('invalid_request', { detail: `at most ${MAX_WEB_ORIGINS} web origins` })
  return origins
}

/**
 * The web origins in force: those the operator set, or by default, for a single-page app, the
 * origins of its http(s) redirect URIs. A web or native app has none unless set: its token
 * requests come from a server or a device, not from a page.
 */
export function allowedWebOrigins(app: Pick<Application, 'type' | 'webOrigins' | 'redirectUris'>): string[] {
  if (app.webOrigins !== null) return app.webOrigins
  if (app.type !== 'spa') return []
  const origins = new Set<string>()
  for (const uri of app.redirectUris) {
    const url = URL.canParse(uri) ? new URL(uri) : null
    if (url?.protocol === 'https:' || url?.protocol === 'http:') origins.add(url.origin)
  }
  return [...origins]
}

function invalid(value: string, reason: string): TesseraError {
  return new TesseraError('invalid_request', { detail: `web origin ${JSON.stringify(value.slice(0, 200))}: ${reason}` })
}
