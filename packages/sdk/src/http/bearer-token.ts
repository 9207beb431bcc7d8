import { TesseraAuthError } from '../errors/tessera-auth-error.js'

/** RFC 6750 §2.1: `Bearer` (any case), one or more spaces, one b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i

/**
 * The access token of an `Authorization` header value. No header, or another scheme, is
 * `missing_token` (RFC 6750 §3.1: a challenge without an error code); a malformed bearer header,
 * or several, is `invalid_request`.
 *
 * @example
 * readBearerToken('Bearer eyJhbGciOiJFUzI1NiIs…') // 'eyJhbGciOiJFUzI1NiIs…'
 */
export function readBearerToken(authorization: string | readonly string[] | null | undefined): string {
  if (authorization === undefined || authorization === null || authorization === '') throw new TesseraAuthError('missing_token')
  if (typeof authorization !== 'string') throw new TesseraAuthError('invalid_request', { detail: 'more than one Authorization header' })
  const match = BEARER.exec(authorization.trim())
  if (match) return match[1] as string
  if (/^Bearer(\s|$)/i.test(authorization.trim())) throw new TesseraAuthError('invalid_request', { detail: 'malformed bearer credentials' })
  throw new TesseraAuthError('missing_token', { detail: 'not a bearer credential' })
}
