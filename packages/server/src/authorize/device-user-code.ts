import { createHmac } from 'node:crypto'
import type { RandomSource } from '../shared/random.js'

/**
 * RFC 8628 §6.1: twenty consonants, upper case, no vowels (no words spelt by accident) and
 * nothing easily confused when read off a TV screen.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'

/** Eight characters: 20^8 ≈ 2^34.5 codes, enough with rate limits and a short lifetime (RFC 8628 §5.1). */
export const USER_CODE_LENGTH = 8

const NORMAL_FORM = new RegExp(`^[${USER_CODE_ALPHABET}]{${USER_CODE_LENGTH}}$`)

/** A new user code in its normal form (no dash), each character drawn uniformly by rejection sampling. */
export function generateUserCode(random: RandomSource): string {
  let code = ''
  while (code.length < USER_CODE_LENGTH) {
    for (const byte of random.bytes(USER_CODE_LENGTH * 2)) {
      // 240 = 12 × 20: bytes at or above it would favour the first characters.
      if (byte < 240 && code.length < USER_CODE_LENGTH) code += USER_CODE_ALPHABET[byte % 20]
    }
  }
  return code
}

/**
 * RFC 8628 §6.1: what the user typed, compared case-insensitively and ignoring dashes and spaces;
 * null when it cannot be a user code at all.
 */
export function normalizeUserCode(typed: string): string | null {
  if (typed.length > 64) return null
  const code = typed.replace(/[\s-]/g, '').toUpperCase()
  return NORMAL_FORM.test(code) ? code : null
}

/** The form shown to people: `XXXX-XXXX`. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`
}

/**
 * The user code as stored: an HMAC under a server key, not a plain hash, since 2^34.5 codes are
 * few enough to reverse a plain SHA-256 from a copy of the database (RFC 8628 §5.1, §5.2).
 */
export function userCodeDigest(key: Buffer, code: string): string {
  return createHmac('sha256', key).update(code, 'utf8').digest('base64url')
}
