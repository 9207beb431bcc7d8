import { createHmac, randomInt } from 'node:crypto'
import { digestsEqual, sha256 } from '../shared/digest.js'
import { issueOpaqueToken, parseOpaqueToken } from '../shared/opaque-token.js'
import type { RandomSource } from '../shared/random.js'

/** What a token proves, and so what it may be used for: a verification token cannot reset a password. */
export type AccountTokenPurpose = 'verify_email' | 'reset_password' | 'change_email'

/** A link token (in a URL) or a short numeric code (typed by a person). */
export type AccountTokenKind = 'link' | 'code'

export interface AccountToken {
  /** The public half of a link token, or a random id for a code. */
  id: string
  userId: string
  purpose: AccountTokenPurpose
  kind: AccountTokenKind
  /** SHA-256 of a link token's secret, HMAC-SHA-256 of a code; the secret itself is never stored. */
  secretHash: string
  /** The address the token proves: the account's at issue, or the new one for a change. */
  email: string
  /** For a reset: the fingerprint of the password hash at issue; a newer password kills the token. */
  credentialStamp: number | null
  failedAttempts: number
  expiresAt: number
  usedAt: number | null
  createdAt: number
}

/**
 * Lifetimes and limits. Links: 256-bit secrets, single use (OWASP Forgot Password Cheat Sheet:
 * random, long, single use, expiring). Codes: 6 digits for 10 minutes and at most 5 wrong tries,
 * so a guess succeeds with probability 5 in 10^6 per code (NIST SP 800-63B §5.1.1.2 asks for rate
 * limiting of short secrets; §3.2.2 counts attempts).
 */
export interface AccountTokenPolicy {
  verificationLinkTtlMs: number
  resetLinkTtlMs: number
  changeEmailLinkTtlMs: number
  codeTtlMs: number
  codeMaxFailures: number
}

export const DEFAULT_ACCOUNT_TOKEN_POLICY: AccountTokenPolicy = {
  verificationLinkTtlMs: 24 * 3600_000,
  resetLinkTtlMs: 30 * 60_000,
  changeEmailLinkTtlMs: 24 * 3600_000,
  codeTtlMs: 10 * 60_000,
  codeMaxFailures: 5,
}

export function linkTtl(policy: AccountTokenPolicy, purpose: AccountTokenPurpose): number {
  if (purpose === 'reset_password') return policy.resetLinkTtlMs
  if (purpose === 'change_email') return policy.changeEmailLinkTtlMs
  return policy.verificationLinkTtlMs
}

/** A new link token: `<id>.<secret>`, 128-bit id and 256-bit secret; only SHA-256 of the secret is kept. */
export function mintLinkToken(random: RandomSource): { id: string; token: string; secretHash: string } {
  return issueOpaqueToken(random)
}

/** The id and secret hash of a presented link token, or null for anything not in the issued shape. */
export function parseLinkToken(token: string): { id: string; secretHash: string } | null {
  return parseOpaqueToken(token)
}

/** A uniformly random 6-digit code (leading zeros kept). */
export function mintCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0')
}

/**
 * A code's stored form: HMAC-SHA-256 under a server key, bound to its token id. A plain hash of
 * six digits would fall to a million guesses offline; the key keeps a copied table useless.
 */
export function codeHash(key: Buffer, tokenId: string, code: string): string {
  return createHmac('sha256', key).update(`${tokenId}:${code}`).digest('base64url')
}

export function isCodeShape(value: string): boolean {
  return /^\d{6}$/.test(value)
}

/** Constant-time check of a presented secret against a stored hash. */
export function secretMatches(token: AccountToken, presentedHash: string): boolean {
  return digestsEqual(token.secretHash, presentedHash)
}

/** Why a token cannot be used now, or null when it can (its secret is checked separately). */
export function tokenRefusal(token: AccountToken, purpose: AccountTokenPurpose, now: number, maxFailures: number): string | null {
  if (token.purpose !== purpose) return 'wrong_purpose'
  if (token.usedAt !== null) return 'used'
  if (token.expiresAt <= now) return 'expired'
  if (token.kind === 'code' && token.failedAttempts >= maxFailures) return 'too_many_failures'
  return null
}

/** A key for a request counter that names no address or IP in the store. */
export function counterKey(scope: string, value: string): string {
  return sha256(`${scope}:${value}`)
}
