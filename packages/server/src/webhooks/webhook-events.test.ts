import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../events/event-outbox.js'
import { toWebhookPayload } from './webhook-events.js'

const AT = Date.parse('2026-01-01T12:00:00Z')

function event(type: string, payload: Record<string, unknown>, userId: string | null = 'usr_1'): StoredEvent {
  return { seq: 1, type: type as StoredEvent['type'], actor: { kind: 'system' }, userId, payload, ip: '203.0.113.9', createdAt: AT }
}

describe('which outbox events become webhooks, and their payloads', () => {
  it('publishes a revoked session', () => {
    expect(toWebhookPayload(event('session.revoked', { sessionId: 'sid_1', reason: 'sign_out' }))).toEqual({
      type: 'session.revoked',
      timestamp: '2026-01-01T12:00:00.000Z',
      data: { sessionId: 'sid_1', userId: 'usr_1', reason: 'sign_out' },
    })
  })

  it('publishes "signed out everywhere" only when no session was kept', () => {
    const all = event('user.sessions_revoked', { sessionIds: ['a', 'b'], reason: 'revoked_all', keptSessionId: null })
    expect(toWebhookPayload(all)).toMatchObject({
      type: 'user.signed_out_everywhere',
      data: { userId: 'usr_1', sessionIds: ['a', 'b'], reason: 'revoked_all' },
    })
    const others = event('user.sessions_revoked', { sessionIds: ['a'], reason: 'revoked_others', keptSessionId: 'b' })
    expect(toWebhookPayload(others)).toBeNull()
  })

  it('maps the outbox names to the public ones', () => {
    const cases: [string, Record<string, unknown>, string, Record<string, unknown>][] = [
      ['user.disabled', {}, 'user.disabled', { userId: 'usr_1' }],
      ['user.deleted', {}, 'user.deleted', { userId: 'usr_1' }],
      ['user.roles_changed', { roles: ['admin'] }, 'user.roles_changed', { userId: 'usr_1', roles: ['admin'] }],
      [
        'refresh_token.reused',
        { familyId: 'fam', clientId: 'cli', sessionId: 'sid' },
        'refresh_token.reuse_detected',
        { userId: 'usr_1', clientId: 'cli', sessionId: 'sid', familyId: 'fam' },
      ],
      [
        'authorization_code.reused',
        { familyId: 'fam', clientId: 'cli', sessionId: 'sid' },
        'authorization_code.reuse_detected',
        { userId: 'usr_1', clientId: 'cli', sessionId: 'sid', familyId: 'fam' },
      ],
      [
        'device_code.reused',
        { familyId: 'fam', clientId: 'cli', sessionId: 'sid' },
        'device_code.reuse_detected',
        { userId: 'usr_1', clientId: 'cli', sessionId: 'sid', familyId: 'fam' },
      ],
      // RFC 8628: the person's decision on the verification page, without any code.
      [
        'device_authorization.approved',
        {
          clientId: 'cli',
          sessionId: 'sid',
          scope: 'openid offline_access read',
          resource: 'https://api.example.com',
          userCode: 'BCDF-GHJK',
        },
        'device_authorization.approved',
        {
          userId: 'usr_1',
          clientId: 'cli',
          sessionId: 'sid',
          scope: ['openid', 'offline_access', 'read'],
          resource: 'https://api.example.com',
        },
      ],
      [
        'device_authorization.denied',
        { clientId: 'cli', scope: 'read', resource: null },
        'device_authorization.denied',
        { userId: 'usr_1', clientId: 'cli', scope: ['read'], resource: null },
      ],
      ['key.rotated', { kid: 'k2', retired: 'k1' }, 'signing_key.rotated', { kid: 'k2', retiredKid: 'k1' }],
      ['key.revoked', { kid: 'k1', wasState: 'active' }, 'signing_key.revoked', { kid: 'k1' }],
      // Issue 12: the account events name the user and how, and nothing else.
      ['user.email_verified', { method: 'code' }, 'user.email_verified', { userId: 'usr_1', method: 'code' }],
      ['user.password_reset_requested', {}, 'user.password_reset_requested', { userId: 'usr_1' }],
      ['user.password_changed', { method: 'reset' }, 'user.password_changed', { userId: 'usr_1', method: 'reset' }],
      ['user.password_reset', {}, 'user.password_changed', { userId: 'usr_1', method: 'operator' }],
      ['user.email_changed', { previousEmail: 'old@example.com' }, 'user.email_changed', { userId: 'usr_1' }],
      // Issue 15 §5: the connection a sign-in came through; an upstream failure's reason and error name only.
      ['sign_in.succeeded', { amr: ['pwd'] }, 'sign_in.succeeded', { userId: 'usr_1', amr: ['pwd'], connectionId: null }],
      [
        'sign_in.succeeded',
        { amr: ['fed'], connectionId: 'con_1' },
        'sign_in.succeeded',
        { userId: 'usr_1', amr: ['fed'], connectionId: 'con_1' },
      ],
      [
        'sign_in.upstream_failed',
        { connectionId: 'con_1', reason: 'token_error', upstreamError: 'invalid_grant', code: 'upstream-code', idToken: 'eyJ' },
        'sign_in.upstream_failed',
        { connectionId: 'con_1', reason: 'token_error', upstreamError: 'invalid_grant' },
      ],
    ]
    for (const [outboxType, payload, type, data] of cases) {
      expect(toWebhookPayload(event(outboxType, payload)), outboxType).toEqual({ type, timestamp: '2026-01-01T12:00:00.000Z', data })
    }
  })

  it('publishes nothing for other events, and never the IP or unknown payload fields', () => {
    for (const type of ['user.created', 'sign_in.failed', 'session.created', 'application.secret_rotated', 'webhook.created']) {
      expect(toWebhookPayload(event(type, {}))).toBeNull()
    }
    // A reset asked for an address without an account is audited, never published.
    expect(toWebhookPayload(event('user.password_reset_requested', {}, null))).toBeNull()
    const body = JSON.stringify(toWebhookPayload(event('session.revoked', { sessionId: 's', reason: 'r', extra: 'x' })))
    expect(body).not.toContain('203.0.113.9')
    expect(body).not.toContain('extra')
  })
})
