import type { Clock } from '../../shared/clock.js'
import type { Executor } from '../../store/database.js'
import { isUniqueViolation } from '../../store/unique-violation.js'

/** DPoP proofs seen, by the hash of their key and jti, until they could no longer be accepted. */
export interface DpopReplayStore {
  /** Records a proof; false when it was recorded before (a replay), on any instance. */
  remember(id: string, expiresAt: number): Promise<boolean>
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
 * their own); if Redis does not answer, the database takes over, so a Redis outage never refuses
 * or admits a proof by accident of the outage alone.
 */
export function createRedisDpopReplayStore(redis: RedisSetIfAbsent, fallback: DpopReplayStore, clock: Clock): DpopReplayStore {
  return {
    async remember(id, expiresAt) {
      const ttl = Math.max(1, expiresAt - clock.now())
      try {
        return (await redis.set(`tessera:dpop:${id}`, '1', 'PX', ttl, 'NX')) === 'OK'
      } catch {
        return fallback.remember(id, expiresAt)
      }
    },
    prune: (now) => fallback.prune(now),
  }
}
