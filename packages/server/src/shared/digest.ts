import { hash, timingSafeEqual } from 'node:crypto'

/**
 * SHA-256 of a UTF-8 string, as base64url. Used to store random secrets, which need no slow hash.
 * One-shot `crypto.hash` (Node >= 20.12): the same digest as `createHash().update().digest()`
 * without a Hash object per call, about 1.5 µs less on each request that checks a secret (issue 17).
 */
export function sha256(value: string): string {
  return hash('sha256', value, 'base64url')
}

/** SHA-256 of a UTF-8 string, as its 32 bytes: for a comparison, which would only decode the base64url again. */
export function sha256Bytes(value: string): Buffer {
  return hash('sha256', value, 'buffer')
}

/** Two digests as bytes, compared in constant time; different lengths are unequal (the length is not secret). */
export function digestBytesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Compares two digests in constant time (OWASP Authentication Cheat Sheet: compare secrets
 * without leaking timing). Different lengths are unequal, and the length is not secret.
 */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8')
  const right = Buffer.from(b, 'utf8')
  return left.length === right.length && timingSafeEqual(left, right)
}
