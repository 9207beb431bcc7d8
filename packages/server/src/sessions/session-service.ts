import type { Actor, EventOutbox } from '../events/event-outbox.js'
import type { RevocationLog } from '../revocation/revocation-log.js'
import type { Clock } from '../shared/clock.js'
import { digestsEqual } from '../shared/digest.js'
import { TesseraError } from '../shared/errors.js'
import type { RandomSource } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import type { User } from '../users/user.js'
import type { UserStore } from '../users/user-store.js'
import { activityIsDue, type RevocationReason, type Session, type SessionPolicy, sessionState } from './session.js'
import type { SessionStore } from './session-store.js'
import { isSessionId, issueSessionToken, parseSessionToken } from './session-token.js'

export interface Device {
  userAgent: string | null
  ip: string | null
  /** The language the client speaks (i18n/), for the messages its requests cause; never stored with the session. */
  locale?: string
}

/** The stores the session service works on: sessions, their users, the revocation log and the outbox. */
export interface SessionServiceStores {
  sessions: SessionStore
  users: UserStore
  revocations: RevocationLog
  events: EventOutbox
}

export interface SessionServiceDeps {
  /** Reads outside a transaction. */
  stores: Pick<SessionServiceStores, 'sessions' | 'users'>
  transact: Transact<SessionServiceStores>
  clock: Clock
  random: RandomSource
  policy: SessionPolicy
  /** How long a revocation-log entry matters: the longest access-token TTL. */
  revocationRetentionMs: number
}

export interface Authenticated {
  session: Session
  user: User
}

export type SessionService = ReturnType<typeof createSessionService>

export function createSessionService(deps: SessionServiceDeps) {
  const { stores, transact, clock, random, policy } = deps

  /**
   * Records a revoked session in the revocation log and the outbox; call inside the transaction
   * that revoked it.
   */
  async function recordRevoked(
    tx: Pick<SessionServiceStores, 'revocations' | 'events'>,
    sid: string,
    userId: string,
    reason: RevocationReason,
    actor: Actor,
    now: number,
  ) {
    await tx.revocations.append({ kind: 'session', sid }, now, now + deps.revocationRetentionMs)
    await tx.events.append({ type: 'session.revoked', actor, userId, payload: { sessionId: sid, reason }, ip: null, createdAt: now })
  }

  return {
    policy,

    /**
     * Starts a new session inside the caller's transaction. Every sign-in gets a fresh id and
     * secret, so session fixation is impossible (OWASP Session Management Cheat Sheet).
     */
    async start(tx: Pick<SessionServiceStores, 'sessions' | 'events'>, input: { user: User; device: Device; amr: string[]; actor: Actor }) {
      const now = clock.now()
      const issued = issueSessionToken(random)
      const session: Session = {
        id: issued.id,
        userId: input.user.id,
        secretHash: issued.secretHash,
        createdAt: now,
        lastActiveAt: now,
        absoluteExpiresAt: now + policy.absoluteLifetimeMs,
        authTime: now,
        amr: input.amr,
        userAgent: input.device.userAgent,
        ip: input.device.ip,
        revokedAt: null,
        revokedReason: null,
      }
      await tx.sessions.insert(session)
      await tx.events.append({
        type: 'session.created',
        actor: input.actor,
        userId: input.user.id,
        payload: { sessionId: session.id, amr: input.amr },
        ip: input.device.ip,
        createdAt: now,
      })
      return { session, token: issued.token }
    },

    /**
     * Steps a live session up in place inside the caller's transaction (issue 13 §6, docs/mfa.md
     * "Step-up"): the methods proved now and the time of this authentication replace the session's,
     * its id and token stay, so tokens issued before keep what they said and tokens issued after
     * say the new acr and auth_time. `session_revoked` when the session ended in the meantime.
     */
    async stepUpIn(
      tx: Pick<SessionServiceStores, 'sessions' | 'events'>,
      input: { sessionId: string; userId: string; amr: string[]; device: Device },
    ): Promise<Session> {
      const now = clock.now()
      const current = await tx.sessions.findById(input.sessionId)
      const live = current !== null && current.userId === input.userId && sessionState(current, policy, now) === 'live'
      if (!live || !(await tx.sessions.stepUp(input.sessionId, input.userId, input.amr, now))) throw new TesseraError('session_revoked')
      await tx.events.append({
        type: 'session.stepped_up',
        actor: { kind: 'user', id: input.userId },
        userId: input.userId,
        payload: { sessionId: input.sessionId, amr: input.amr, previousAmr: current.amr },
        ip: input.device.ip,
        createdAt: now,
      })
      return { ...current, amr: input.amr, authTime: now, lastActiveAt: now }
    },

    /** Resolves a presented session token, or throws a typed 401/403. */
    async authenticate(token: string): Promise<Authenticated> {
      const parsed = parseSessionToken(token)
      if (!parsed) throw new TesseraError('session_invalid')
      const found = await stores.sessions.findWithUser(parsed.id)
      // Compare the stored digest in constant time even though it is a hash: cheap, and
      // it leaves no timing signal to reason about.
      if (!found || !digestsEqual(found.session.secretHash, parsed.secretHash)) throw new TesseraError('session_invalid')
      // The row may come from the read cache (session-read-cache.ts), frozen: never changed here.
      let { session } = found
      const { user } = found
      const now = clock.now()
      const state = sessionState(session, policy, now)
      if (state === 'revoked') throw new TesseraError('session_revoked')
      if (state === 'expired') throw new TesseraError('session_expired')
      if (user.status !== 'active') throw new TesseraError('user_disabled')
      if (activityIsDue(session, policy, now)) {
        await stores.sessions.touch(session.id, now)
        session = { ...session, lastActiveAt: now }
      }
      return { session, user }
    },

    /** The session and its user when the session is live and the user active; null otherwise. Never writes. */
    async live(sessionId: string): Promise<Authenticated | null> {
      return liveIn(stores, sessionId)
    },

    liveIn,

    async listLive(userId: string): Promise<Session[]> {
      const now = clock.now()
      return stores.sessions.listLive(userId, { lastActiveAfter: now - policy.idleTimeoutMs, now })
    },

    /**
     * Revokes one live session. With `ownerId`, a session of anyone else is "not found", so a
     * user cannot learn whether another user's session id exists.
     */
    async revoke(sessionId: string, options: { ownerId?: string; reason: RevocationReason; actor: Actor }): Promise<Session> {
      // Anything not shaped like a session id is refused before any lookup.
      if (!isSessionId(sessionId)) throw new TesseraError('session_not_found')
      return transact(async (tx) => {
        const session = await tx.sessions.findById(sessionId)
        const now = clock.now()
        const owned = options.ownerId === undefined || session?.userId === options.ownerId
        if (!session || !owned || sessionState(session, policy, now) !== 'live') throw new TesseraError('session_not_found')
        // A concurrent transaction may have revoked it since we read it (PostgreSQL, read committed):
        // only the one that actually revoked it records the revocation.
        if (!(await tx.sessions.revoke(sessionId, now, options.reason))) throw new TesseraError('session_not_found')
        await recordRevoked(tx, sessionId, session.userId, options.reason, options.actor, now)
        return { ...session, revokedAt: now, revokedReason: options.reason }
      })
    },

    /**
     * Revokes every session of a user but `keepId`. Without `keepId` (sign out everywhere) the
     * user's token version is raised as well, so every token of every session dies (docs/architecture.md §2).
     */
    async revokeAll(userId: string, options: { keepId?: string; reason: RevocationReason; actor: Actor }): Promise<string[]> {
      return transact((tx) => revokeAllIn(tx, userId, options))
    },

    revokeAllIn,
  }

  async function liveIn(tx: Pick<SessionServiceStores, 'sessions' | 'users'>, sessionId: string): Promise<Authenticated | null> {
    const found = await tx.sessions.findWithUser(sessionId)
    if (!found || sessionState(found.session, policy, clock.now()) !== 'live') return null
    return found.user.status === 'active' ? found : null
  }

  async function revokeAllIn(
    tx: SessionServiceStores,
    userId: string,
    options: { keepId?: string; reason: RevocationReason; actor: Actor; raiseTokenVersion?: boolean },
  ) {
    const now = clock.now()
    const ids = await tx.sessions.revokeAllOfUser(userId, now, options.reason, options.keepId)
    for (const sid of ids) await recordRevoked(tx, sid, userId, options.reason, options.actor, now)
    // docs/architecture.md §2: signing out everywhere, and a password change even when it keeps the
    // current session, kill every token issued before (the kept session mints new ones).
    if (options.keepId === undefined || options.raiseTokenVersion === true) {
      const version = await tx.users.raiseTokenVersion(userId, now)
      if (version !== null) {
        await tx.revocations.append(
          { kind: 'user_token_version', sub: userId, minTokenVersion: version },
          now,
          now + deps.revocationRetentionMs,
        )
      }
    }
    await tx.events.append({
      type: 'user.sessions_revoked',
      actor: options.actor,
      userId,
      payload: { sessionIds: ids, reason: options.reason, keptSessionId: options.keepId ?? null },
      ip: null,
      createdAt: now,
    })
    return ids
  }
}
