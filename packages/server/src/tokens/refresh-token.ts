import { createHmac } from 'node:crypto'
import { digestsEqual } from '../shared/digest.js'
import { type IssuedOpaqueToken, opaqueTokenFrom } from '../shared/opaque-token.js'
import { randomOrderedId } from '../shared/ordered-id.js'
import type { RandomSource } from '../shared/random.js'

/** A rotating refresh token, bound to a session, a client, an API and a scope (docs/architecture.md §2). */
export interface RefreshToken {
  id: string
  /** The id of the first token of the chain; reuse revokes the whole family. */
  familyId: string
  parentId: string | null
  sessionId: string
  userId: string
  clientId: string
  api: string
  scope: string[]
  secretHash: string
  authTime: number
  createdAt: number
  /** Idle expiry: a refresh token unused this long is dead. */
  expiresAt: number
  /** Absolute expiry of the family. */
  familyExpiresAt: number
  /** When it was rotated (its successor issued). */
  usedAt: number | null
  revokedAt: number | null
  /** The OpenID scopes of the grant when it included `openid`: a refresh then returns an ID token (OIDC Core §12.2). */
  idTokenScope: string[] | null
  /** RFC 9449 §5: the DPoP key a public client's family is bound to; every refresh must prove it. */
  dpopJkt?: string | null
  /** RFC 8176 methods of the authentication the family came from (0026); null in older rows. */
  amr?: string[] | null
}

export interface RefreshPolicy {
  idleTtlMs: number
  absoluteTtlMs: number
  /** RFC 9700 §4.14.2 leaves room for a short grace period: a replay within it gets the same successor. */
  graceMs: number
}

export type RefreshDecision =
  | { kind: 'rotate' }
  | { kind: 'replay_within_grace'; successor: RefreshToken }
  | { kind: 'reuse_detected' }
  | { kind: 'dead'; reason: 'revoked' | 'expired' }

/**
 * What presenting this token means now. A token used before, outside the grace window or after
 * its successor was itself used, is a replay: someone else holds a copy (RFC 9700 §4.14.2).
 */
export function decideRefresh(token: RefreshToken, successor: RefreshToken | null, policy: RefreshPolicy, now: number): RefreshDecision {
  if (token.revokedAt !== null) return { kind: 'dead', reason: 'revoked' }
  if (token.usedAt !== null) {
    const fresh = now - token.usedAt <= policy.graceMs
    const successorUntouched = successor !== null && successor.usedAt === null && successor.revokedAt === null
    return fresh && successorUntouched ? { kind: 'replay_within_grace', successor } : { kind: 'reuse_detected' }
  }
  if (now >= token.expiresAt || now >= token.familyExpiresAt) return { kind: 'dead', reason: 'expired' }
  return { kind: 'rotate' }
}

/**
 * The successor of a refresh token. Its secret is derived from the parent token with a server key,
 * not drawn at random, so that a replay within the grace window returns exactly the same single
 * successor without storing any token in the clear (`replayedSuccessor`). Its id is drawn like
 * every other ordered id (shared/ordered-id.ts, docs/architecture.md §12: it sorts by the time of
 * the rotation, with a CSPRNG tail): a replay is answered with the id of the row recorded, so
 * nothing needs to derive the id again, and drawing it costs the rotation one HMAC less.
 */
export function deriveSuccessor(successorKey: Buffer, random: RandomSource, parentToken: string, rotatedAt: number): IssuedOpaqueToken {
  return opaqueTokenFrom(randomOrderedId(random, rotatedAt), successorSecret(successorKey, parentToken))
}

/**
 * The successor a replay within the grace window gets: the recorded one, its secret derived again.
 * The id is the recorded row's, so it is the same whenever the replay comes and whichever way
 * it was made (an HMAC of the parent before ids sorted by time, then the time and an HMAC tail,
 * now the time and a CSPRNG tail). Null when the derived secret is not the recorded one's (the successor key changed): a
 * replay is never handed a token that would not work.
 */
export function replayedSuccessor(
  successorKey: Buffer,
  parentToken: string,
  recorded: Pick<RefreshToken, 'id' | 'secretHash'>,
): IssuedOpaqueToken | null {
  const successor = opaqueTokenFrom(recorded.id, successorSecret(successorKey, parentToken))
  return digestsEqual(successor.secretHash, recorded.secretHash) ? successor : null
}

function successorSecret(successorKey: Buffer, parentToken: string): string {
  return createHmac('sha256', successorKey).update(`secret\u0000${parentToken}`).digest('base64url')
}
