import type { EventOutbox } from '../events/event-outbox.js'
import type { RevocationLog } from '../revocation/revocation-log.js'
import type { IssuedOpaqueToken } from '../shared/opaque-token.js'
import type { AccessTokenStore } from './access-token-store.js'
import { decideRefresh, type RefreshDecision, type RefreshPolicy, type RefreshToken } from './refresh-token.js'
import type { RefreshTokenStore } from './refresh-token-store.js'

/**
 * A refresh family: the chain of rotating refresh tokens issued from one grant (docs/architecture.md
 * §2). It opens with a first token, grows by one successor per use, and is revoked whole, with
 * the access tokens issued from it, when a rotated token comes back (RFC 9700 §4.14.2).
 */
export interface RefreshFamilyStores {
  refreshTokens: RefreshTokenStore
  accessTokens: AccessTokenStore
  revocations: RevocationLog
  events: EventOutbox
}

/** What the first token of a family is bound to. */
export interface FamilyBinding {
  sessionId: string
  userId: string
  clientId: string
  api: string
  scope: string[]
  authTime: number
  /** The OpenID scopes of the grant when it included `openid` (OIDC Core §12.2), else null. */
  idTokenScope: string[] | null
  /** RFC 9449 §5: the DPoP key a public client's family is bound to, or null. */
  dpopJkt?: string | null
  /** RFC 8176 methods of the authentication the family came from: its refreshes say them, whatever the session proves later. */
  amr?: string[] | null
  /** When the session ends for good: a family never outlives it. */
  sessionAbsoluteExpiresAt: number
}

/** How long an unused refresh token of this client lives: its own setting, or the server's. */
export function refreshIdleMs(refreshTokenTtl: number | null, policy: RefreshPolicy): number {
  return refreshTokenTtl !== null ? refreshTokenTtl * 1000 : policy.idleTtlMs
}

/** The first token of a new family; its id names the family. */
export function firstOfFamily(
  issued: IssuedOpaqueToken,
  binding: FamilyBinding,
  now: number,
  idleMs: number,
  policy: RefreshPolicy,
): RefreshToken {
  const familyEnd = Math.min(now + policy.absoluteTtlMs, binding.sessionAbsoluteExpiresAt)
  const { sessionAbsoluteExpiresAt: _, ...bound } = binding
  return {
    ...bound,
    id: issued.id,
    familyId: issued.id,
    parentId: null,
    secretHash: issued.secretHash,
    createdAt: now,
    expiresAt: Math.min(now + idleMs, familyEnd),
    familyExpiresAt: familyEnd,
    usedAt: null,
    revokedAt: null,
  }
}

/** The successor of a rotated token: same family and binding, a fresh idle expiry, never past the family's end. */
export function successorOf(
  parent: RefreshToken,
  next: { id: string; secretHash: string },
  now: number,
  scope: string[],
  idleMs: number,
): RefreshToken {
  return {
    ...parent,
    id: next.id,
    parentId: parent.id,
    scope,
    secretHash: next.secretHash,
    createdAt: now,
    expiresAt: Math.min(now + idleMs, parent.familyExpiresAt),
    usedAt: null,
    revokedAt: null,
  }
}

/**
 * What presenting `token` means now, and, when it is to rotate, marks it used atomically. If
 * another request rotated or revoked it between our read and our write, judges again on what is
 * stored now (a concurrent revocation is not a reuse).
 */
export async function redeemRefresh(
  tx: Pick<RefreshFamilyStores, 'refreshTokens'>,
  token: RefreshToken,
  policy: RefreshPolicy,
  now: number,
): Promise<RefreshDecision> {
  const successor = token.usedAt !== null ? await tx.refreshTokens.findChild(token.id) : null
  const decision = decideRefresh(token, successor, policy, now)
  if (decision.kind !== 'rotate' || (await tx.refreshTokens.markUsed(token.id, now))) return decision
  const current = await tx.refreshTokens.findById(token.id)
  if (!current) return { kind: 'dead', reason: 'revoked' }
  return decideRefresh({ ...current, usedAt: current.usedAt ?? now }, await tx.refreshTokens.findChild(token.id), policy, now)
}

export type FamilyRevocationReason = 'reuse_detected' | 'revoked_by_client' | 'authorization_code_reused' | 'device_code_reused'

const EVENT_OF_REASON = {
  reuse_detected: 'refresh_token.reused',
  revoked_by_client: 'refresh_token.revoked',
  authorization_code_reused: 'authorization_code.reused',
  device_code_reused: 'device_code.reused',
} as const

/** Revokes a refresh family and every access token issued with it, in the revocation log. */
export async function revokeFamily(
  tx: RefreshFamilyStores,
  token: Pick<RefreshToken, 'familyId' | 'clientId' | 'userId' | 'sessionId'>,
  reason: FamilyRevocationReason,
  now: number,
): Promise<void> {
  const familyId = token.familyId
  await tx.refreshTokens.revokeFamily(familyId, now)
  for (const access of await tx.accessTokens.listLiveOfFamily(familyId, now)) {
    await tx.accessTokens.revoke(access.jti, now)
    await tx.revocations.append({ kind: 'access_token', jti: access.jti }, now, access.expiresAt)
  }
  await tx.events.append({
    type: EVENT_OF_REASON[reason],
    actor: reason === 'revoked_by_client' ? { kind: 'application', id: token.clientId } : { kind: 'system' },
    userId: token.userId,
    payload: { familyId, clientId: token.clientId, sessionId: token.sessionId },
    ip: null,
    createdAt: now,
  })
}
