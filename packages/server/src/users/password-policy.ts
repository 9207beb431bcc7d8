import { TesseraError } from '../shared/errors.js'
import type { PasswordEstimator } from './password-estimate-pool.js'

/** The common and breached passwords, lower-cased; the process's list is read at its first lookup. */
export type PasswordBlocklist = Pick<ReadonlySet<string>, 'has'>

export interface PasswordPolicy {
  minLength: number
  maxLength: number
  maxBytes: number
  /** Lower-cased common and breached passwords. */
  blocklist: PasswordBlocklist
  /** The lowest zxcvbn score (0 to 4) a new password may have; 0 turns the estimate off. */
  minStrength: number
  /** The product's name (`email.productName`), a word a password should not lean on. */
  serviceName?: string
  /** The strength estimate, off the event loop (users/password-estimate-pool.ts). */
  estimator: PasswordEstimator
}

/**
 * Checks the size of a presented password before anything else touches it: a byte cap, so a
 * huge input costs nothing (it is never normalised nor hashed).
 */
export function checkPasswordSize(password: string, policy: PasswordPolicy): void {
  if (Buffer.byteLength(password, 'utf8') > policy.maxBytes) {
    throw new TesseraError('password_too_long', { detail: `A password may have at most ${policy.maxBytes} bytes.` })
  }
}

/** NFC, so the same password typed on two keyboards hashes the same (NIST SP 800-63B §5.1.1.2). */
export function normalizePassword(password: string): string {
  return password.normalize('NFC')
}

/**
 * NIST SP 800-63B §3.1.1.2 rules for a new password: length counted in characters (code points),
 * no composition rules, refusal of passwords on the common and breached list, and of passwords a
 * strength estimator finds easy to guess given the context (users/password-strength.ts), with the
 * reason. Returns the normalised password to hash. The estimate may also fail with
 * `password_check_busy` or `password_check_failed` (503): the password is then refused, never
 * accepted unchecked.
 */
export async function checkNewPassword(password: string, policy: PasswordPolicy, context: { email: string }): Promise<string> {
  checkPasswordSize(password, policy)
  const normalized = normalizePassword(password)
  const length = [...normalized].length
  if (length < policy.minLength) {
    throw new TesseraError('password_too_short', { detail: `A password needs at least ${policy.minLength} characters.` })
  }
  if (length > policy.maxLength) {
    throw new TesseraError('password_too_long', { detail: `A password may have at most ${policy.maxLength} characters.` })
  }
  const lowered = normalized.toLowerCase()
  if (policy.blocklist.has(lowered)) {
    throw new TesseraError('password_too_common', {
      detail: 'This password appears in a list of common or breached passwords. Choose another.',
    })
  }
  // The context (the email, its name part, the service's name) makes a password weaker in the
  // estimate, never forbidden by itself: a long random password may contain the service's name.
  const [local = ''] = context.email.split('@')
  const words = [context.email, local, 'tessera', ...(policy.serviceName ? [policy.serviceName] : [])]
  if (policy.minStrength > 0 && (await policy.estimator.score(normalized, words)) < policy.minStrength) {
    throw new TesseraError('password_too_common', {
      detail:
        'This password would be easy to guess (a common pattern, a sequence, or your email address). Choose a longer or less predictable one.',
    })
  }
  return normalized
}
