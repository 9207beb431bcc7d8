import { describe, expect, it } from 'vitest'
import { createTotpEnrolment, matchTotpStep, totpCodeAt } from './totp.js'

const T0 = Date.UTC(2026, 11, 4, 12, 0, 10) // 10 s into a 30-second step

describe('TOTP (RFC 6238)', () => {
  it('enrols with a 160-bit base32 secret and an otpauth URI naming the issuer and the account', () => {
    const { secret, uri } = createTotpEnrolment({ issuer: 'Tessera', account: 'ann@example.com' })
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    const parsed = new URL(uri)
    expect(parsed.protocol).toBe('otpauth:')
    expect(parsed.host).toBe('totp')
    expect(decodeURIComponent(parsed.pathname)).toBe('/Tessera:ann@example.com')
    expect(Object.fromEntries(parsed.searchParams)).toEqual({
      issuer: 'Tessera',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    })
    expect(createTotpEnrolment({ issuer: 'Tessera', account: 'ann@example.com' }).secret).not.toBe(secret)
  })

  it('matches the RFC 6238 Appendix B vector (SHA-1, T = 59 s)', () => {
    // The RFC's key is the ASCII "12345678901234567890"; its 8-digit code is 94287082, so 6 digits are 287082.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'
    expect(totpCodeAt(secret, 59_000)).toBe('287082')
    expect(matchTotpStep(secret, '287082', 59_000)).toBe(1)
  })

  it('accepts a code of the previous or next step, for drift, and names the step it belongs to', () => {
    const { secret } = createTotpEnrolment({ issuer: 'T', account: 'a' })
    const step = Math.floor(T0 / 30_000)
    expect(matchTotpStep(secret, totpCodeAt(secret, T0), T0)).toBe(step)
    expect(matchTotpStep(secret, totpCodeAt(secret, T0 - 30_000), T0)).toBe(step - 1)
    expect(matchTotpStep(secret, totpCodeAt(secret, T0 + 30_000), T0)).toBe(step + 1)
  })

  it('refuses a code two steps away, another secret’s code, and anything not six digits', () => {
    const { secret } = createTotpEnrolment({ issuer: 'T', account: 'a' })
    const other = createTotpEnrolment({ issuer: 'T', account: 'a' }).secret
    expect(matchTotpStep(secret, totpCodeAt(secret, T0 - 60_000), T0)).toBeNull()
    expect(matchTotpStep(secret, totpCodeAt(secret, T0 + 60_000), T0)).toBeNull()
    const code = totpCodeAt(secret, T0)
    if (totpCodeAt(other, T0) !== code) expect(matchTotpStep(other, code, T0)).toBeNull()
    for (const bad of ['', '12345', '1234567', '12 456', '12345a', ` ${code}`, `${code}\n`, '１２３４５６']) {
      expect(matchTotpStep(secret, bad, T0)).toBeNull()
    }
  })
})
