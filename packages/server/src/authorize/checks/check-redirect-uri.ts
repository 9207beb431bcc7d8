import type { Application } from '../../applications/application.js'
import { TesseraError } from '../../shared/errors.js'
import { matchRedirectUri } from '../redirect-uri-match.js'
import type { RequestValues } from './request-values.js'

/**
 * RFC 9700 §4.1.3 and OAuth 2.1 §2.3.1: exact match with a registered URI (the loopback port of
 * native apps aside, RFC 8252 §7.3). OIDC Core §3.1.2.1 makes it required; so do we, for every client.
 */
export function checkRedirectUri(values: RequestValues, application: Application): string {
  const presented = values.get('redirect_uri')
  if (presented === undefined) throw new TesseraError('redirect_uri_mismatch', { detail: 'redirect_uri is required' })
  const redirectUri = matchRedirectUri(application, presented)
  if (redirectUri === null) throw new TesseraError('redirect_uri_mismatch')
  return redirectUri
}
