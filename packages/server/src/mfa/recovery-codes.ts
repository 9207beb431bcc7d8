import { createHmac, timingSafeEqual } from 'node:crypto'
import type { RandomSource } from '../shared/random.js'

/** Ten single-use codes per set (issue 13; the count peers such as GitHub and Google use). */
export const RECOVERY_CODE_COUNT = 10

// Crockford's base32 without I, L, O, U: nothing to confuse when read off paper.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const CODE_CHARS = 12 // 60 bits

/**
 * Recovery codes are look-up secrets (NIST SP 800-63B §5.1.2). They have 60 bits each, less than
 * the 112 bits under which §5.1.2.1 asks for a salted one-way function, so they are stored as an
 * HMAC-SHA-256 under a subkey of the master key: a database dump alone cannot be searched offline,
 * and online guessing is bounded by the per-account throttle.
 */
export interface RecoveryCodeHasher {
  hash(code: string): string
  /** Constant-time comparison of a presented code with a stored hash. */
  matches(code: string, storedHash: string): boolean
}

export function createRecoveryCodeHasher(key: Buffer): RecoveryCodeHasher {
  const hash = (code: string) => createHmac('sha256', key).update(normalizeRecoveryCode(code)).digest('base64url')
  return {
    hash,
    matches(code, storedHash) {
      const presented = Buffer.from(hash(code))
      const stored = Buffer.from(storedHash)
      return presented.length === stored.length && timingSafeEqual(presented, stored)
    },
  }
}

/** A new set, formatted `XXXX-XXXX-XXXX` for reading and typing. */
export function generateRecoveryCodes(random: RandomSource): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = random.bytes(CODE_CHARS)
    // 256 is a multiple of 32, so taking each byte modulo 32 is unbiased.
    const chars = Array.from(bytes, (byte) => ALPHABET[byte % 32]).join('')
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`
  })
}

/** Accepts what people type: lower case, spaces or no dashes, and the letters Crockford maps to digits. */
export function normalizeRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0')
}

export function isRecoveryCodeShape(code: string): boolean {
  const normalized = normalizeRecoveryCode(code)
  return normalized.length === CODE_CHARS && [...normalized].every((char) => ALPHABET.includes(char))
}
