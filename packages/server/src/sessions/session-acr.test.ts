import { describe, expect, it } from 'vitest'
import { acrOf, acrSatisfies } from './session-acr.js'

describe('acrOf', () => {
  it('is sfa for a password alone, or for no method at all', () => {
    expect(acrOf(['pwd'])).toBe('urn:tessera:acr:sfa')
    expect(acrOf([])).toBe('urn:tessera:acr:sfa')
    expect(acrOf(['pwd', 'otp'])).toBe('urn:tessera:acr:sfa')
  })

  it('is mfa when the session records mfa', () => {
    expect(acrOf(['pwd', 'otp', 'mfa'])).toBe('urn:tessera:acr:mfa')
    expect(acrOf(['pwd', 'swk', 'mfa'])).toBe('urn:tessera:acr:mfa')
  })

  it('is phr only for a user-verifying hardware key', () => {
    expect(acrOf(['hwk', 'user'])).toBe('urn:tessera:acr:phr')
    expect(acrOf(['pwd', 'hwk', 'user', 'mfa'])).toBe('urn:tessera:acr:phr')
    expect(acrOf(['pwd', 'hwk', 'mfa'])).toBe('urn:tessera:acr:mfa')
    expect(acrOf(['hwk'])).toBe('urn:tessera:acr:sfa')
  })
})

describe('acrSatisfies', () => {
  it('accepts a session at least as strong as one requested value', () => {
    expect(acrSatisfies('urn:tessera:acr:mfa', ['urn:tessera:acr:sfa'])).toBe(true)
    expect(acrSatisfies('urn:tessera:acr:mfa', ['urn:tessera:acr:mfa'])).toBe(true)
    expect(acrSatisfies('urn:tessera:acr:phr', ['urn:tessera:acr:mfa'])).toBe(true)
  })

  it('refuses a weaker session', () => {
    expect(acrSatisfies('urn:tessera:acr:sfa', ['urn:tessera:acr:mfa'])).toBe(false)
    expect(acrSatisfies('urn:tessera:acr:mfa', ['urn:tessera:acr:phr'])).toBe(false)
  })

  it('ignores unknown values, and is met when none is known', () => {
    expect(acrSatisfies('urn:tessera:acr:sfa', ['urn:example:gold'])).toBe(true)
    expect(acrSatisfies('urn:tessera:acr:sfa', ['urn:example:gold', 'urn:tessera:acr:mfa'])).toBe(false)
  })
})
