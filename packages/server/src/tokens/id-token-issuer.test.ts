import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { idTokenClaims } from './id-token-issuer.js'

const input = {
  issuer: 'https://id.example.test',
  user: {
    id: 'usr_1',
    email: 'ann@example.com',
    status: 'active' as const,
    tokenVersion: 1,
    emailVerified: false,
    createdAt: 0,
    updatedAt: 1_767_225_600_000,
  },
  clientId: 'client_1',
  sessionId: 'sid_1',
  authTime: 1_767_225_000_500,
  amr: ['pwd'],
  nonce: 'n-0S6_WzA2Mj',
  scope: ['openid'],
  accessToken: 'jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y',
  iat: 1_767_225_601,
}

describe('ID token claims (OIDC Core §2, §3.1.3.6)', () => {
  it('carries iss, sub, aud, exp, iat, auth_time, nonce, sid, at_hash, amr and acr', () => {
    const claims = idTokenClaims(input, 'ES256')
    const digest = createHash('sha256').update(input.accessToken).digest()
    expect(claims).toEqual({
      iss: 'https://id.example.test',
      sub: 'usr_1',
      aud: 'client_1',
      iat: 1_767_225_601,
      exp: 1_767_225_601 + 300,
      auth_time: 1_767_225_000,
      nonce: 'n-0S6_WzA2Mj',
      sid: 'sid_1',
      amr: ['pwd'],
      acr: 'urn:tessera:acr:sfa',
      at_hash: digest.subarray(0, 16).toString('base64url'),
    })
  })

  it('says acr mfa for two factors and phr for a user-verifying passkey', () => {
    expect(idTokenClaims({ ...input, amr: ['pwd', 'otp', 'mfa'] }, 'ES256').acr).toBe('urn:tessera:acr:mfa')
    expect(idTokenClaims({ ...input, amr: ['hwk', 'user'] }, 'ES256').acr).toBe('urn:tessera:acr:phr')
  })

  it('hashes at_hash with SHA-512 for EdDSA, and leaves out a nonce that was not sent', () => {
    const claims = idTokenClaims({ ...input, nonce: null }, 'EdDSA')
    const digest = createHash('sha512').update(input.accessToken).digest()
    expect(claims.at_hash).toBe(digest.subarray(0, 32).toString('base64url'))
    expect(claims).not.toHaveProperty('nonce')
  })

  it('adds the email and profile claims only for their scopes', () => {
    expect(idTokenClaims({ ...input, scope: ['openid', 'email'] }, 'ES256')).toMatchObject({
      email: 'ann@example.com',
      email_verified: false,
    })
    expect(idTokenClaims({ ...input, scope: ['openid', 'profile'] }, 'ES256')).toMatchObject({ updated_at: 1_767_225_600 })
    expect(idTokenClaims(input, 'ES256')).not.toHaveProperty('email')
  })
})
