import type { Clock } from '../../shared/clock.js'
import type { Executor } from '../../store/database.js'
import { isUniqueViolation } from '../../store/unique-violation.js'
import { DPOP_PROOF_FUTURE_LEEWAY_MS } from './dpop-proof.js'

/** DPoP proofs seen, by the hash of their key and jti, until they could no longer be accepted. */
export interface DpopReplayStore {
  /**
   * Records a proof; false when it was recorded before (a replay), on any instance, or when it
   * cannot be told apart from one (`issuedAt`, the proof's `iat` in ms, decides that during a
   * Redis outage).
   */
  remember(id: string, expiresAt: number, issuedAt?: number): Promise<boolean>
  /** Whether a proof is recorded and unexpired; a read, never a write. */
  seen(id: string, now: number): Promise<boolean>
  /** Deletes the records of proofs too old to be accepted anyway; returns how many. */
  prune(now: number): Promise<number>
}

/** The database is the cache shared by every instance (RFC 9449 §11.1). */
export function createDpopReplayStore(db: Executor): DpopReplayStore {
  return {
    async remember(id, expiresAt) {
      try {
        const result = await db
          .insertInto('dpop_proofs')
          .values({ id, expires_at: expiresAt })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst()
        return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1
      } catch (error) {
        if (isUniqueViolation(error)) return false
        throw error
      }
    },
    async seen(id, now) {
      const row = await db.selectFrom('dpop_proofs').select('id').where('id', '=', id).where('expires_at', '>', now).executeTakeFirst()
      return row !== undefined
    },
    async prune(now) {
      const result = await db.deleteFrom('dpop_proofs').where('expires_at', '<=', now).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}

/** The one Redis command the replay cache needs (ioredis's `set`). */
export interface RedisSetIfAbsent {
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>
}

/**
 * With Redis configured, proofs are remembered there (`SET NX PX`, one round trip, expiring on
 * their own); if Redis does not answer, the database takes over. Neither holds every proof, so
 * each hand-over has a gap, closed here (issue 16, RFC 9449 §11.1):
 * - Redis fails: a proof Redis accepted before is in Redis only, and the database would accept
 *   it again. While Redis is away, a proof issued before this instance saw the outage start (plus
 *   the proof's future leeway) is refused: Redis may have seen it. The client makes a new proof.
 * - Redis is back: a proof the database accepted during the outage (on any instance) is unknown
 *   to Redis. So a proof Redis takes as new is also looked up in the database (a point read by
 *   primary key, never a write) and refused if it is there.
 * Left open: Redis reachable from some instances and not others, where an instance that cannot
 * reach it accepts a fresh proof that another accepted through Redis a moment before.
 */
export function createRedisDpopReplayStore(
  redis: RedisSetIfAbsent,
  fallback: DpopReplayStore,
  clock: Clock,
  options: { futureLeewayMs: number } = { futureLeewayMs: DPOP_PROOF_FUTURE_LEEWAY_MS },
): DpopReplayStore {
  /** When this instance first saw Redis fail, until it answers again. */
  let outageSince: number | null = null
  return {
    async remember(id, expiresAt, issuedAt) {
      const ttl = Math.max(1, expiresAt - clock.now())
      let answer: 'OK' | null
      try {
        answer = await redis.set(`tessera:dpop:${id}`, '1', 'PX', ttl, 'NX')
      } catch {
        outageSince ??= clock.now()
        if (issuedAt === undefined || issuedAt <= outageSince + options.futureLeewayMs) return false
        return fallback.remember(id, expiresAt)
      }
      outageSince = null
      if (answer !== 'OK') return false
      return !(await fallback.seen(id, clock.now()))
    },
    seen: (id, now) => fallback.seen(id, now),
    prune: (now) => fallback.prune(now),
  }
}
