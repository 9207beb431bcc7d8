import { TesseraError } from '../shared/errors.js'

export interface PasswordPolicy {
  minLength: number
  maxLength: number
  maxBytes: number
  /** Lower-cased common and breached passwords. */
  blocklist: ReadonlySet<string>
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
 * no composition rules, and refusal of common, breached and context-specific passwords, with the
 * reason. Returns the normalised password to hash.
 */
export function checkNewPassword(password: string, policy: PasswordPolicy, context: { email: string }): string {
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
  const [local = ''] = context.email.split('@')
  if (lowered === context.email || lowered === local || lowered.includes('tessera')) {
    throw new TesseraError('password_too_common', {
      detail: 'A password must not be your email address, its name part, or the name of this service.',
    })
  }
  return normalized
}
