import { isTesseraError, type TesseraError } from '../shared/errors.js'
import type { OpenIdClientLibrary } from './openid-client-library.js'

/** Why a round trip through an upstream failed: what the user is shown, and a short reason for the audit log. */
export interface UpstreamFailure {
  code: 'upstream_rejected' | 'upstream_unavailable'
  /** A short machine reason: the upstream's OAuth error name or the failed check's code. Never a token. */
  reason: string
  /** The upstream's own error name (RFC 6749 §4.1.2.1, §5.2), when it sent one. */
  upstreamError?: string
}

const SAFE = /^[A-Za-z0-9_.-]{1,64}$/

/** Codes of openid-client / oauth4webapi that mean the upstream answered something unusable, not a refusal. */
const UNUSABLE = new Set([
  'OAUTH_RESPONSE_IS_NOT_JSON',
  'OAUTH_PARSE_ERROR',
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_TIMEOUT',
  'OAUTH_ABORT',
])

/**
 * Classifies whatever the round trip threw; everything unknown counts as an unusable answer (fail
 * closed). `client` is the loaded openid-client, whose error classes say the upstream refused.
 */
export function failureOf(
  error: unknown,
  client: Pick<OpenIdClientLibrary, 'AuthorizationResponseError' | 'ResponseBodyError'>,
): UpstreamFailure {
  const { AuthorizationResponseError, ResponseBodyError } = client
  const tessera = tesseraCause(error, 0)
  if (tessera) return { code: tessera.code === 'upstream_unavailable' ? 'upstream_unavailable' : 'upstream_rejected', reason: tessera.code }
  if (error instanceof AuthorizationResponseError || error instanceof ResponseBodyError) {
    const name = typeof error.error === 'string' && SAFE.test(error.error) ? error.error : 'invalid'
    return {
      code: 'upstream_rejected',
      reason: error instanceof AuthorizationResponseError ? 'authorization_error' : 'token_error',
      upstreamError: name,
    }
  }
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : ''
  if (code !== '' && SAFE.test(code) && !UNUSABLE.has(code)) return { code: 'upstream_rejected', reason: code }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return { code: 'upstream_unavailable', reason: 'timeout' }
  return { code: 'upstream_unavailable', reason: SAFE.test(code) ? code : 'unusable_answer' }
}

function tesseraCause(error: unknown, depth: number): TesseraError | null {
  if (isTesseraError(error)) return error
  if (depth > 4 || !(error instanceof Error)) return null
  return tesseraCause(error.cause, depth + 1)
}
