import { TesseraError } from '../../shared/errors.js'
import type { RequestValues } from './request-values.js'

/** An RFC 7638 SHA-256 JWK thumbprint: 32 bytes, base64url without padding. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/

/**
 * RFC 9449 §10: `dpop_jkt` binds the code to the client's DPoP key (the JWK SHA-256 thumbprint,
 * as in `cnf.jkt`); the token request must then carry a proof signed by that key. A value that is
 * not a thumbprint is refused rather than ignored, so a typo never silently unbinds the code.
 */
export function checkDpopJkt(values: RequestValues): string | null {
  const jkt = values.get('dpop_jkt')
  if (jkt === undefined) return null
  if (!THUMBPRINT.test(jkt)) throw new TesseraError('invalid_request', { detail: 'dpop_jkt must be a base64url SHA-256 JWK thumbprint' })
  return jkt
}
