import type * as Otpauth from 'otpauth'
import { requireOnFirstUse } from '../shared/load-once.js'

/**
 * otpauth, loaded by the first TOTP enrolment or check (docs/architecture.md §9, "Memory"): a
 * server whose users never set up TOTP never loads it. A failed load throws at that use.
 */
const otpauth = requireOnFirstUse<typeof Otpauth>('otpauth')

/**
 * TOTP (RFC 6238) with the parameters every authenticator app understands: HMAC-SHA-1, six digits,
 * a 30-second step (RFC 6238 §4, §5.2), and a 160-bit secret (RFC 4226 §4 asks for at least 128).
 */
const PERIOD_SECONDS = 30
const DIGITS = 6
const SECRET_BYTES = 20
/** RFC 6238 §5.2: accept one step either side, for clock drift and typing time. */
const WINDOW = 1

export interface TotpEnrolment {
  /** Base32, as authenticator apps take it when typed by hand. */
  secret: string
  /** `otpauth://totp/…`, the Key Uri Format that QR codes carry. */
  uri: string
}

/** A new secret, and the URI an authenticator app scans. The label names the account and the issuer. */
export function createTotpEnrolment(input: { issuer: string; account: string }): TotpEnrolment {
  const secret = new (otpauth().Secret)({ size: SECRET_BYTES })
  return { secret: secret.base32, uri: totpFor(secret.base32, input).toString() }
}

/** The `otpauth://` URI of an existing secret (a pending enrolment shown again). */
export function totpUri(secret: string, label: { issuer: string; account: string }): string {
  return totpFor(secret, label).toString()
}

/**
 * The time step a code belongs to, or null when it matches none within the window. The caller
 * keeps the last step it accepted and refuses any step at or below it, so a code is good once
 * (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP").
 */
export function matchTotpStep(secret: string, code: string, nowMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null
  const delta = totpFor(secret, { issuer: '', account: '' }).validate({ token: code, timestamp: nowMs, window: WINDOW })
  return delta === null ? null : Math.floor(nowMs / 1000 / PERIOD_SECONDS) + delta
}

/** The code for a moment: for tests, which compute codes from the secret as an app would. */
export function totpCodeAt(secret: string, nowMs: number): string {
  return totpFor(secret, { issuer: '', account: '' }).generate({ timestamp: nowMs })
}

function totpFor(secret: string, label: { issuer: string; account: string }): Otpauth.TOTP {
  const { Secret, TOTP } = otpauth()
  return new TOTP({
    issuer: label.issuer,
    label: label.account,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  })
}
