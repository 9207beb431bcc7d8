import { TesseraError } from '../shared/errors.js'
import type { ApplicationType } from './application.js'

/**
 * Registration-time check of a back-channel logout URI (OIDC Back-Channel Logout 1.0 §2.2): an
 * absolute URL, no fragment; https, or http on a loopback host for development. Where it may
 * point is checked again at each delivery, with the webhook rules (webhooks/webhook-target.ts).
 */
export function checkBackchannelLogoutUri(uri: string, type: ApplicationType): string {
  if (type !== 'web' && type !== 'spa' && type !== 'native') throw invalid(uri, `a ${type} application has no back-channel logout`)
  const url = URL.canParse(uri) ? new URL(uri) : null
  if (!url) throw invalid(uri, 'not an absolute URL')
  if (url.hash || uri.includes('#')) throw invalid(uri, 'must not have a fragment')
  if (url.username || url.password) throw invalid(uri, 'must not carry credentials')
  const loopback = url.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)
  if (url.protocol !== 'https:' && !loopback) throw invalid(uri, 'must be https (or http on a loopback host)')
  return url.href
}

function invalid(uri: string, reason: string): TesseraError {
  return new TesseraError('invalid_request', { detail: `back-channel logout URI ${JSON.stringify(uri.slice(0, 200))}: ${reason}` })
}
