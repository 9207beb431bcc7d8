import { describe, expect, it } from 'vitest'
import { activityIsDue, presentSession, type Session, type SessionPolicy, sessionExpiresAt, sessionState } from './session.js'

const T0 = Date.parse('2026-01-01T00:00:00Z')
const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

const policy: SessionPolicy = { idleTimeoutMs: HOUR, absoluteLifetimeMs: 24 * HOUR, activityIntervalMs: MINUTE }

function aSession(overrides: Partial<Session> = {}): Session {
  return {
    id: 'A'.repeat(22),
    userId: 'usr_ann',
    secretHash: 'stored-secret-hash',
    createdAt: T0,
    lastActiveAt: T0,
    absoluteExpiresAt: T0 + policy.absoluteLifetimeMs,
    authTime: T0,
    amr: ['pwd'],
    userAgent: 'Mozilla/5.0',
    ip: '203.0.113.7',
    revokedAt: null,
    revokedReason: null,
    ...overrides,
  }
}

describe('sessionExpiresAt', () => {
  it('is the idle expiry while that comes first', () => {
    expect(sessionExpiresAt(aSession({ lastActiveAt: T0 + 5 * MINUTE }), policy)).toBe(T0 + 5 * MINUTE + HOUR)
  })

  it('is the absolute expiry once activity would carry the session past it', () => {
    const session = aSession({ lastActiveAt: T0 + 23 * HOUR + 30 * MINUTE })
    expect(sessionExpiresAt(session, policy)).toBe(T0 + 24 * HOUR)
  })

  it('is the absolute expiry when both fall at the same moment', () => {
    expect(sessionExpiresAt(aSession({ lastActiveAt: T0 + 23 * HOUR }), policy)).toBe(T0 + 24 * HOUR)
  })
})

describe('sessionState', () => {
  it('is live one millisecond before the idle expiry', () => {
    expect(sessionState(aSession(), policy, T0 + HOUR - 1)).toBe('live')
  })

  it('is expired exactly at the idle expiry', () => {
    expect(sessionState(aSession(), policy, T0 + HOUR)).toBe('expired')
  })

  it('is live one millisecond before the absolute expiry, however recent the activity', () => {
    const session = aSession({ lastActiveAt: T0 + 24 * HOUR - 2 })
    expect(sessionState(session, policy, T0 + 24 * HOUR - 1)).toBe('live')
  })

  it('is expired exactly at the absolute expiry, however recent the activity', () => {
    const session = aSession({ lastActiveAt: T0 + 24 * HOUR - 1 })
    expect(sessionState(session, policy, T0 + 24 * HOUR)).toBe('expired')
  })

  it('is live at the moment of sign-in', () => {
    expect(sessionState(aSession(), policy, T0)).toBe('live')
  })

  it('is revoked as soon as it is revoked, even while it would otherwise be live', () => {
    const session = aSession({ revokedAt: T0 + MINUTE, revokedReason: 'sign_out' })
    expect(sessionState(session, policy, T0 + MINUTE)).toBe('revoked')
  })

  it('reports revoked rather than expired for a revoked session past its expiry', () => {
    const session = aSession({ revokedAt: T0 + MINUTE, revokedReason: 'sign_out' })
    expect(sessionState(session, policy, T0 + HOUR)).toBe('revoked')
    expect(sessionState(session, policy, T0 + 48 * HOUR)).toBe('revoked')
  })

  it('treats a revocation at time zero as a revocation', () => {
    expect(sessionState(aSession({ revokedAt: 0 }), policy, T0)).toBe('revoked')
  })
})

describe('activityIsDue', () => {
  it('is not due right after the last write', () => {
    expect(activityIsDue(aSession(), policy, T0)).toBe(false)
  })

  it('is not due one millisecond before the interval has passed', () => {
    expect(activityIsDue(aSession(), policy, T0 + MINUTE - 1)).toBe(false)
  })

  it('is due once the interval has passed', () => {
    expect(activityIsDue(aSession(), policy, T0 + MINUTE)).toBe(true)
    expect(activityIsDue(aSession(), policy, T0 + 10 * MINUTE)).toBe(true)
  })

  it('is not due when the clock reads earlier than the last activity', () => {
    expect(activityIsDue(aSession({ lastActiveAt: T0 + MINUTE }), policy, T0)).toBe(false)
  })
})

describe('presentSession', () => {
  it('shows times as ISO strings and the expiry the policy gives', () => {
    const view = presentSession(aSession({ lastActiveAt: T0 + MINUTE }), policy)
    expect(view).toEqual({
      id: 'A'.repeat(22),
      createdAt: '2026-01-01T00:00:00.000Z',
      lastActiveAt: '2026-01-01T00:01:00.000Z',
      expiresAt: '2026-01-01T01:01:00.000Z',
      authTime: '2026-01-01T00:00:00.000Z',
      amr: ['pwd'],
      userAgent: 'Mozilla/5.0',
      ip: '203.0.113.7',
    })
  })

  it('never exposes the secret hash, the user id or revocation details', () => {
    const view = presentSession(aSession({ revokedAt: T0, revokedReason: 'operator' }), policy, 'A'.repeat(22))
    expect(Object.keys(view).sort()).toEqual([
      'amr',
      'authTime',
      'createdAt',
      'current',
      'expiresAt',
      'id',
      'ip',
      'lastActiveAt',
      'userAgent',
    ])
    expect(JSON.stringify(view)).not.toContain('stored-secret-hash')
  })

  it('flags the current session only when the current id is given', () => {
    expect(presentSession(aSession(), policy, 'A'.repeat(22)).current).toBe(true)
    expect(presentSession(aSession(), policy, 'B'.repeat(22)).current).toBe(false)
    expect(presentSession(aSession(), policy)).not.toHaveProperty('current')
  })
})
