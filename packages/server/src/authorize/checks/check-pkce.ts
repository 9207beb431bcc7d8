import { TesseraError } from '../../shared/errors.js'
import { isS256Challenge } from '../../tokens/pkce.js'
import type { RequestValues } from './request-values.js'

/**
 * RFC 7636 §4.3 and OAuth 2.1 §4.1.1: PKCE is required, with S256 only. `plain`, or no method
 * (which means plain), is refused (RFC 9700 §2.1.1).
 */
export function checkPkce(values: RequestValues): string {
  const challenge = values.get('code_challenge')
  if (challenge === undefined) throw new TesseraError('invalid_request', { detail: 'code_challenge is required (PKCE)' })
  if (values.get('code_challenge_method') !== 'S256')
    throw new TesseraError('invalid_request', { detail: 'code_challenge_method must be S256' })
  if (!isS256Challenge(challenge)) throw new TesseraError('invalid_request', { detail: 'code_challenge is not a valid S256 challenge' })
  return challenge
}
