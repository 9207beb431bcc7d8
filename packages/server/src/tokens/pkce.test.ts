import { describe, expect, it } from 'vitest'
import { isCodeVerifier, isS256Challenge, s256, verifierMatches } from './pkce.js'

describe('PKCE (RFC 7636)', () => {
  // The challenge as RFC 7636 Appendix B prints it (SHA-256 octets 19 211 71 ... 254 7 30 195).
  const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
  const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

  it('derives the challenge of the Appendix B test vector', () => {
    expect(s256(VERIFIER)).toBe(CHALLENGE)
    expect(isS256Challenge(CHALLENGE)).toBe(true)
    expect(verifierMatches(VERIFIER, CHALLENGE)).toBe(true)
    expect(verifierMatches(VERIFIER, 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuUG8cOH6lM')).toBe(false)
  })

  it('accepts verifiers of 43 to 128 unreserved characters only (§4.1)', () => {
    expect(isCodeVerifier('a'.repeat(43))).toBe(true)
    expect(isCodeVerifier('A-._~z9'.repeat(18).slice(0, 128))).toBe(true)
    expect(isCodeVerifier('a'.repeat(42))).toBe(false)
    expect(isCodeVerifier('a'.repeat(129))).toBe(false)
    expect(isCodeVerifier(`${'a'.repeat(42)}+`)).toBe(false)
    expect(isCodeVerifier(`${'a'.repeat(42)}=`)).toBe(false)
    expect(isCodeVerifier(`${'a'.repeat(42)} `)).toBe(false)
  })

  it('refuses a missing verifier, a malformed one and a wrong one', () => {
    const challenge = s256('b'.repeat(43))
    expect(verifierMatches(undefined, challenge)).toBe(false)
    expect(verifierMatches('b'.repeat(42), challenge)).toBe(false)
    expect(verifierMatches('c'.repeat(43), challenge)).toBe(false)
    expect(verifierMatches('b'.repeat(43), challenge)).toBe(true)
  })

  it('accepts only well-formed S256 challenges (§4.2)', () => {
    expect(isS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuUG8cOH6lM')).toBe(true)
    expect(isS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuUG8cOH6lM=')).toBe(false)
    expect(isS256Challenge('too-short')).toBe(false)
    expect(isS256Challenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuUG8cOH6l+')).toBe(false)
  })
})
