import { type Application, GRANT_TYPES } from '../../applications/application.js'
import { TesseraError } from '../../shared/errors.js'
import type { RequestValues } from './request-values.js'

/**
 * RFC 6749 §4.1.1 and OAuth 2.1: the code flow only (no implicit, no hybrid), answered in the
 * query, for clients registered for it. Request objects are not supported (OIDC Core §6).
 */
export function checkResponseType(values: RequestValues, application: Application): void {
  if (values.has('request')) throw new TesseraError('request_not_supported')
  if (values.has('request_uri')) throw new TesseraError('request_uri_not_supported')
  const responseType = values.get('response_type')
  if (responseType === undefined) throw new TesseraError('invalid_request', { detail: 'response_type is required' })
  if (responseType !== 'code') throw new TesseraError('unsupported_response_type')
  const responseMode = values.get('response_mode')
  if (responseMode !== undefined && responseMode !== 'query')
    throw new TesseraError('invalid_request', { detail: 'response_mode must be query' })
  if (!application.grants.includes(GRANT_TYPES.authorization_code)) throw new TesseraError('unauthorized_client')
}
