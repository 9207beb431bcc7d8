import type { StoredEvent } from '../events/event-outbox.js'
import type { WebhookEventType } from './webhook-event-types.js'
/** The JSON body of a delivery (Standard Webhooks: `type`, `timestamp`, `data`). Never holds a secret. */
export interface WebhookPayload {
  type: WebhookEventType
  /** When the change happened (ISO 8601), not when it was delivered. */
  timestamp: string
  data: Record<string, unknown>
}

/**
 * Maps an outbox event to the webhook event it publishes, or null when it publishes none.
 * Each `data` is built field by field from the outbox payload, so nothing is forwarded by accident.
 */
export function toWebhookPayload(event: StoredEvent): WebhookPayload | null {
  const p = event.payload
  const at = (type: WebhookEventType, data: Record<string, unknown>): WebhookPayload => ({
    type,
    timestamp: new Date(event.createdAt).toISOString(),
    data,
  })
  // Matched as a string: user.deleted is not emitted yet, and is published as soon as the
  // outbox starts carrying it.
  switch (event.type as string) {
    case 'session.revoked':
      return at('session.revoked', { sessionId: p.sessionId, userId: event.userId, reason: p.reason })
    case 'user.sessions_revoked':
      // Only "every session" is a sign-out everywhere; "all but this one" is not.
      if (p.keptSessionId !== null && p.keptSessionId !== undefined) return null
      return at('user.signed_out_everywhere', { userId: event.userId, sessionIds: p.sessionIds, reason: p.reason })
    case 'user.disabled':
      return at('user.disabled', { userId: event.userId })
    case 'user.deleted':
      return at('user.deleted', { userId: event.userId })
    case 'user.roles_changed':
      return at('user.roles_changed', { userId: event.userId, ...(isStringArray(p.roles) ? { roles: p.roles } : {}) })
    // Issue 12: account events carry the user and how, never a token, link or address.
    case 'user.email_verified':
      return at('user.email_verified', { userId: event.userId, method: p.method })
    case 'user.password_reset_requested':
      // A request for an address without an account is audited, not published.
      return event.userId === null ? null : at('user.password_reset_requested', { userId: event.userId })
    case 'user.password_reset':
      return at('user.password_changed', { userId: event.userId, method: 'operator' })
    case 'user.password_changed':
      return at('user.password_changed', { userId: event.userId, method: p.method })
    case 'user.email_changed':
      return at('user.email_changed', { userId: event.userId })
    case 'refresh_token.reused':
      return at('refresh_token.reuse_detected', {
        userId: event.userId,
        clientId: p.clientId,
        sessionId: p.sessionId,
        familyId: p.familyId,
      })
    // A replayed authorization code or device code revokes what its first redemption issued
    // (RFC 9700 §4.5, tokens/grants/): the same fields, never the code.
    case 'authorization_code.reused':
    case 'device_code.reused':
      return at(event.type === 'device_code.reused' ? 'device_code.reuse_detected' : 'authorization_code.reuse_detected', {
        userId: event.userId,
        clientId: p.clientId,
        sessionId: p.sessionId,
        familyId: p.familyId,
      })
    // RFC 8628: a person allowed or denied a device on the verification page; never a code.
    case 'device_authorization.approved':
      return at('device_authorization.approved', {
        userId: event.userId,
        clientId: p.clientId,
        sessionId: p.sessionId,
        scope: typeof p.scope === 'string' ? p.scope.split(' ').filter(Boolean) : [],
        resource: p.resource ?? null,
      })
    case 'device_authorization.denied':
      return at('device_authorization.denied', {
        userId: event.userId,
        clientId: p.clientId,
        scope: typeof p.scope === 'string' ? p.scope.split(' ').filter(Boolean) : [],
        resource: p.resource ?? null,
      })
    case 'key.rotated':
      return at('signing_key.rotated', { kid: p.kid, retiredKid: p.retired ?? null })
    case 'key.revoked':
      return at('signing_key.revoked', { kid: p.kid })
    // Issue 15 §5: a sign-in names the connection it came through; an upstream failure keeps the
    // upstream's error name and our reason, never a code or a token of the upstream.
    case 'sign_in.succeeded':
      return at('sign_in.succeeded', {
        userId: event.userId,
        amr: isStringArray(p.amr) ? p.amr : [],
        connectionId: typeof p.connectionId === 'string' ? p.connectionId : null,
      })
    case 'sign_in.upstream_failed':
      return at('sign_in.upstream_failed', {
        connectionId: p.connectionId,
        reason: p.reason,
        upstreamError: typeof p.upstreamError === 'string' ? p.upstreamError : null,
      })
    default:
      return null
  }
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}
