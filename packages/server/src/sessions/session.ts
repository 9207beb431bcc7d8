/** A server-side session: the source of truth every credential is bound to (docs/architecture.md §2). */
export interface Session {
  id: string
  userId: string
  secretHash: string
  createdAt: number
  lastActiveAt: number
  absoluteExpiresAt: number
  authTime: number
  /** Authentication methods references (RFC 8176), e.g. ["pwd"]. */
  amr: string[]
  userAgent: string | null
  ip: string | null
  revokedAt: number | null
  revokedReason: string | null
}

export interface SessionPolicy {
  idleTimeoutMs: number
  absoluteLifetimeMs: number
  /** Last activity is written at most this often per session. */
  activityIntervalMs: number
}

export type SessionState = 'live' | 'revoked' | 'expired'

/** When the session stops being valid if nothing else happens: the earlier of idle and absolute expiry. */
export function sessionExpiresAt(session: Pick<Session, 'lastActiveAt' | 'absoluteExpiresAt'>, policy: SessionPolicy): number {
  return Math.min(session.lastActiveAt + policy.idleTimeoutMs, session.absoluteExpiresAt)
}

/** OWASP Session Management Cheat Sheet: idle and absolute timeouts are enforced on the server. */
export function sessionState(
  session: Pick<Session, 'revokedAt' | 'lastActiveAt' | 'absoluteExpiresAt'>,
  policy: SessionPolicy,
  now: number,
): SessionState {
  if (session.revokedAt !== null) return 'revoked'
  return now >= sessionExpiresAt(session, policy) ? 'expired' : 'live'
}

/** True when last activity is old enough to be written again (never once per request). */
export function activityIsDue(session: Session, policy: SessionPolicy, now: number): boolean {
  return now - session.lastActiveAt >= policy.activityIntervalMs
}

export type RevocationReason =
  | 'sign_out'
  | 'revoked_by_user'
  | 'revoked_others'
  | 'revoked_all'
  | 'user_disabled'
  | 'operator'
  | 'password_reset'
  | 'password_changed'
  | 'user_deleted'

/** The public view of a session; the secret hash never leaves the server. */
export function presentSession(session: Session, policy: SessionPolicy, currentId?: string) {
  return {
    id: session.id,
    createdAt: new Date(session.createdAt).toISOString(),
    lastActiveAt: new Date(session.lastActiveAt).toISOString(),
    expiresAt: new Date(sessionExpiresAt(session, policy)).toISOString(),
    authTime: new Date(session.authTime).toISOString(),
    amr: session.amr,
    userAgent: session.userAgent,
    ip: session.ip,
    ...(currentId !== undefined ? { current: session.id === currentId } : {}),
  }
}
