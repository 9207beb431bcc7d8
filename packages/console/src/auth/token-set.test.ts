import { describe, expect, it } from 'vitest'
import { accessOf, renewalDelay, tokenSetFrom } from './token-set.js'

const USER = { sub: 'usr_1', email: 'ann@example.com' }

describe('token set', () => {
  it('computes the expiry from expires_in and splits the scope', () => {
    const tokens = tokenSetFrom({ access_token: 'a', refresh_token: 'r', scope: 'openid admin:read', expires_in: 300 }, USER, 1_000)
    expect(tokens.expiresAt).toBe(301_000)
    expect(tokens.scope).toEqual(['openid', 'admin:read'])
    expect(tokens.refreshToken).toBe('r')
  })

  it('keeps the previous refresh token, ID token and scope when a refresh response omits them (RFC 6749 §5.1, §6)', () => {
    const first = tokenSetFrom({ access_token: 'a', refresh_token: 'r', id_token: 'i', scope: 'admin:read', expires_in: 60 }, USER, 0)
    const second = tokenSetFrom({ access_token: 'b', expires_in: 60 }, USER, 10_000, first)
    expect(second).toMatchObject({ accessToken: 'b', refreshToken: 'r', idToken: 'i', scope: ['admin:read'], expiresAt: 70_000 })
  })

  it('renews at three quarters of the remaining lifetime, never sooner than five seconds', () => {
    const tokens = tokenSetFrom({ access_token: 'a', expires_in: 300 }, USER, 0)
    expect(renewalDelay(tokens, 0)).toBe(225_000)
    expect(renewalDelay(tokens, 299_000)).toBe(5_000)
    expect(renewalDelay(tokens, 400_000)).toBe(5_000)
  })

  it('reads write, read-only and no access from the scope', () => {
    expect(accessOf(['openid', 'admin:read', 'admin:write'])).toBe('write')
    expect(accessOf(['admin:read'])).toBe('read')
    // admin:write alone cannot read (docs/admin-api.md): the console needs admin:read to show anything.
    expect(accessOf(['admin:write'])).toBe('none')
    expect(accessOf([])).toBe('none')
  })
})
