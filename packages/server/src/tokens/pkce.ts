import { createHash } from 'node:crypto'
import { digestsEqual } from '../shared/digest.js'

/** RFC 7636 §4.1: code_verifier = 43*128unreserved. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/

/** RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA256(verifier)), 43 characters without padding. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

export function isCodeVerifier(value: string): boolean {
  return VERIFIER.test(value)
}

export function isS256Challenge(value: string): boolean {
  return S256_CHALLENGE.test(value)
}

/** RFC 7636 §4.2: code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

/**
 * RFC 7636 §4.6: the verifier must hash to the challenge bound to the code. A verifier of the
 * wrong shape never matches, and the comparison is constant-time.
 */
export function verifierMatches(verifier: string | undefined, challenge: string): boolean {
  if (verifier === undefined || !isCodeVerifier(verifier)) return false
  return digestsEqual(s256(verifier), challenge)
}
