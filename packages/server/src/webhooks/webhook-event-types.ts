/**
 * The event types an endpoint may subscribe to. Public API: names never change.
 * This file imports nothing, so the admin console builds its event picker from this same list
 * (packages/console/src/api/admin-types.ts) instead of a copy that could drift.
 */
export const WEBHOOK_EVENT_TYPES = [
  'session.revoked',
  'user.signed_out_everywhere',
  'user.disabled',
  'user.deleted',
  'user.roles_changed',
  'user.email_verified',
  'user.password_reset_requested',
  'user.password_changed',
  'user.email_changed',
  'refresh_token.reuse_detected',
  'authorization_code.reuse_detected',
  'device_code.reuse_detected',
  'device_authorization.approved',
  'device_authorization.denied',
  'signing_key.rotated',
  'signing_key.revoked',
  'sign_in.succeeded',
  'sign_in.upstream_failed',
] as const
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number]

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value)
}
