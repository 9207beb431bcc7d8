import type { ActorIdentity, StoredEvent } from '../events/event-outbox.js'

export type AuditActorKind = ActorIdentity['kind']

/** One line of the audit log: who did what, to whom, when and from where. */
export interface AuditEntry {
  /** The outbox seq of the event it records; orders the log. */
  seq: number
  occurredAt: number
  actor: { kind: AuditActorKind; id: string | null }
  /** The event type, e.g. `role.created`. */
  action: string
  target: { type: string; id: string } | null
  /** The user the event concerns. */
  userId: string | null
  ip: string | null
  /** Whitelisted fields of the event; never a secret. */
  detail: Record<string, unknown>
}

type Payload = Record<string, unknown>

interface Rule {
  target: (event: StoredEvent) => { type: string; id: string } | null
  /** The payload fields copied into `detail`. Anything not named here is left out. */
  detail: readonly string[]
}

const field = (type: string, name: string) => (event: StoredEvent) => idOf(type, event.payload[name])
const user = (event: StoredEvent) => idOf('user', event.userId)

/**
 * What each event records. A whitelist: a field reaches the audit log only if it is named here,
 * so a secret added to an event payload later cannot leak into it (OWASP Logging Cheat Sheet:
 * never log secrets, tokens or passwords). Every payload field named here is an id, a name, a
 * reason or a count.
 */
const RULES: Record<string, Rule> = {
  'user.created': { target: user, detail: ['email'] },
  'user.disabled': { target: user, detail: [] },
  'user.enabled': { target: user, detail: [] },
  'user.deleted': { target: user, detail: [] },
  'user.password_rehashed': { target: user, detail: [] },
  'user.email_verification_requested': { target: user, detail: [] },
  'user.email_verified': { target: user, detail: ['method'] },
  'user.password_reset_requested': { target: user, detail: [] },
  'user.password_changed': { target: user, detail: ['method'] },
  'user.email_change_requested': { target: user, detail: ['newEmail'] },
  'user.email_changed': { target: user, detail: ['previousEmail'] },
  'user.sign_up_attempted': { target: user, detail: [] },
  'user.sessions_revoked': { target: user, detail: ['sessionIds', 'reason', 'keptSessionId'] },
  'user.roles_changed': { target: user, detail: ['roleId', 'name', 'change', 'roles'] },
  'sign_in.succeeded': { target: user, detail: ['amr', 'connectionId'] },
  'sign_in.failed': { target: user, detail: ['userAgent'] },
  'sign_in.throttled': { target: user, detail: ['userAgent'] },
  'sign_in.locked_out': { target: user, detail: ['failures', 'lockedUntil', 'userAgent'] },
  'session.created': { target: field('session', 'sessionId'), detail: ['amr'] },
  'session.revoked': { target: field('session', 'sessionId'), detail: ['reason'] },
  'session.stepped_up': { target: field('session', 'sessionId'), detail: ['amr', 'previousAmr'] },
  'key.created': { target: field('key', 'kid'), detail: ['state', 'activatesAt'] },
  'key.rotated': { target: field('key', 'kid'), detail: ['retired'] },
  'key.revoked': { target: field('key', 'kid'), detail: ['wasState'] },
  'api.created': { target: field('api', 'identifier'), detail: ['mode', 'encryptionKid'] },
  // `encryptionKid` names the public key its tokens are now encrypted to (null: encryption off).
  'api.updated': { target: field('api', 'identifier'), detail: ['rolesClaim', 'fields', 'encryptionKid'] },
  'api.deleted': { target: field('api', 'identifier'), detail: [] },
  'application.created': { target: field('application', 'clientId'), detail: ['type'] },
  'application.secret_rotated': { target: field('application', 'clientId'), detail: [] },
  'application.deleted': { target: field('application', 'clientId'), detail: [] },
  'application.roles_changed': { target: field('application', 'clientId'), detail: ['roleId', 'name', 'change', 'roles'] },
  'refresh_token.reused': { target: field('refresh_token_family', 'familyId'), detail: ['clientId', 'sessionId'] },
  'refresh_token.revoked': { target: field('refresh_token_family', 'familyId'), detail: ['clientId', 'sessionId'] },
  'device_code.reused': { target: field('refresh_token_family', 'familyId'), detail: ['clientId', 'sessionId'] },
  // RFC 8628 §3.3: the user's decision on the verification page; never the device or user code.
  'device_authorization.approved': { target: field('application', 'clientId'), detail: ['sessionId', 'scope', 'resource'] },
  'device_authorization.denied': { target: field('application', 'clientId'), detail: ['scope', 'resource'] },
  'access_token.revoked': { target: field('access_token', 'jti'), detail: [] },
  'webhook.created': { target: field('webhook', 'endpointId'), detail: ['host', 'events'] },
  'webhook.secret_rotated': { target: field('webhook', 'endpointId'), detail: ['overlapMs'] },
  'webhook.deleted': { target: field('webhook', 'endpointId'), detail: [] },
  'webhook.delivery_resent': { target: field('webhook', 'endpointId'), detail: ['deliveryId', 'eventType'] },
  'webhook.test_sent': { target: field('webhook', 'endpointId'), detail: ['deliveryId'] },
  'role.created': { target: field('role', 'roleId'), detail: ['name'] },
  'role.updated': { target: field('role', 'roleId'), detail: ['name', 'previousName'] },
  'role.deleted': { target: field('role', 'roleId'), detail: ['name', 'users', 'applications'] },
  'role.permissions_changed': { target: field('role', 'roleId'), detail: ['name', 'added', 'removed'] },
  'mfa.factor_added': { target: field('mfa_factor', 'factorId'), detail: ['kind'] },
  'mfa.factor_removed': { target: field('mfa_factor', 'factorId'), detail: ['kind'] },
  'mfa.factor_renamed': { target: field('mfa_factor', 'factorId'), detail: ['kind', 'name'] },
  'mfa.factors_reset': { target: user, detail: ['removed'] },
  'mfa.recovery_codes_generated': { target: user, detail: [] },
  'mfa.recovery_code_used': { target: user, detail: [] },
  'connection.created': { target: field('connection', 'connectionId'), detail: ['name', 'type', 'preset'] },
  'connection.updated': { target: field('connection', 'connectionId'), detail: ['name', 'changed'] },
  'connection.deleted': { target: field('connection', 'connectionId'), detail: ['name'] },
  'identity.linked': { target: field('connection', 'connectionId'), detail: ['identityId', 'how'] },
  'identity.unlinked': { target: field('connection', 'connectionId'), detail: ['identityId', 'by', 'forced'] },
  'sign_in.upstream_failed': { target: field('connection', 'connectionId'), detail: ['reason', 'upstreamError'] },
}

/** Ids an event of a type without a rule may name, in order of preference: ids, never secrets. */
const FALLBACK_TARGETS: readonly [string, string][] = [
  ['roleId', 'role'],
  ['clientId', 'application'],
  ['kid', 'key'],
  ['sessionId', 'session'],
  ['identifier', 'api'],
  ['endpointId', 'webhook'],
]

/**
 * Turns an outbox event into an audit entry. An event type without a rule (a newer one) is still
 * recorded, with its actor, user and the first id it names as target, and an empty detail.
 */
export function toAuditEntry(event: StoredEvent): AuditEntry {
  const rule = RULES[event.type]
  const target = rule ? rule.target(event) : fallbackTarget(event)
  const detail: Record<string, unknown> = {}
  for (const name of rule?.detail ?? []) {
    const value = safeValue(event.payload[name], 0)
    if (value !== undefined) detail[name] = value
  }
  return {
    seq: event.seq,
    occurredAt: event.createdAt,
    actor: { kind: event.actor.kind, id: 'id' in event.actor ? event.actor.id : null },
    action: event.type,
    target,
    userId: event.userId,
    ip: event.ip,
    detail,
  }
}

function fallbackTarget(event: StoredEvent): { type: string; id: string } | null {
  for (const [name, type] of FALLBACK_TARGETS) {
    const target = idOf(type, event.payload[name])
    if (target) return target
  }
  return idOf('user', event.userId)
}

function idOf(type: string, value: unknown): { type: string; id: string } | null {
  return typeof value === 'string' && value.length > 0 && value.length <= 512 ? { type, id: value } : null
}

/** Scalars, and arrays or flat objects of scalars; strings capped. Anything else is dropped. */
function safeValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string') return value.slice(0, 512)
  if (depth >= 2 || typeof value !== 'object') return undefined
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => safeValue(item, depth + 1) ?? null)
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value as Payload).slice(0, 20)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue
    const safe = safeValue(item, depth + 1)
    if (safe !== undefined) copy[key] = safe
  }
  return copy
}
