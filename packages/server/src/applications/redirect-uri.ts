import { TesseraError } from '../shared/errors.js'
import type { ApplicationType } from './application.js'

/**
 * Registration-time checks of a redirect URI (RFC 9700 §2.1, §4.1.3; RFC 8252 §7 for native apps):
 * absolute, no fragment, https (or a loopback or private-use scheme for native apps), and no
 * wildcards. Matching at authorization time is exact.
 */
export function checkRedirectUri(uri: string, type: ApplicationType): string {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    throw invalid(uri, 'not an absolute URI')
  }
  if (url.hash || uri.includes('#')) throw invalid(uri, 'must not have a fragment')
  if (uri.includes('*')) throw invalid(uri, 'wildcards are not allowed')
  if (type === 'm2m' || type === 'resource-server') throw invalid(uri, `a ${type} application has no redirect URIs`)
  const loopback = url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)
  if (url.protocol === 'https:' || loopback) return uri
  // RFC 8252 §7.1: private-use URI schemes in reverse-domain form, for native apps.
  if (type === 'native' && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)) return uri
  throw invalid(uri, 'must be https (or a loopback http URI, or a private-use scheme for native apps)')
}

function invalid(uri: string, reason: string): TesseraError {
  return new TesseraError('invalid_request', { detail: `redirect URI ${JSON.stringify(uri.slice(0, 200))}: ${reason}` })
}
