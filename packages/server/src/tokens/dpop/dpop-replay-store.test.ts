import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { describe, expect, it, onTestFinished } from 'vitest'
import { DIALECTS, openMigratedTestDatabase } from '../../../test/test-database.js'
import { createManualClock } from '../../shared/clock.js'
import { openDatabase } from '../../store/open-database.js'
import { createDpopReplayStore, createRedisDpopReplayStore } from './dpop-replay-store.js'

const id = () => randomBytes(16).toString('hex')

for (const dialect of DIALECTS) {
  describe(`the DPoP replay cache on ${dialect}`, () => {
    it('remembers a proof once, across instances sharing the database, and prunes what is too old to matter', async () => {
      const database = await openMigratedTestDatabase(dialect)
      const other = openDatabase(database.url)
      onTestFinished(() => other.db.destroy())
      const here = createDpopReplayStore(database.db)
      const there = createDpopReplayStore(other.db)
      const proof = id()
      expect(await here.remember(proof, 2_000)).toBe(true)
      expect(await there.remember(proof, 2_000)).toBe(false)
      expect(await here.remember(proof, 2_000)).toBe(false)
      // Two instances racing for one proof: one wins.
      const raced = id()
      expect((await Promise.all([here.remember(raced, 2_000), there.remember(raced, 2_000)])).sort()).toEqual([false, true])
      expect(await here.prune(1_999)).toBe(0)
      expect(await here.prune(2_000)).toBe(2)
    })
  })
}

describe('the DPoP replay cache with Redis', () => {
  it('remembers a proof once in Redis, with an expiry, and falls back to the database when Redis does not answer', async () => {
    const database = await openMigratedTestDatabase('sqlite')
    const fallback = createDpopReplayStore(database.db)
    const clock = createManualClock(1_000_000)
    const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 0 })
    onTestFinished(() => {
      redis.disconnect()
    })
    await redis.connect()
    const store = createRedisDpopReplayStore(redis, fallback, clock)
    const proof = id()
    expect(await store.remember(proof, clock.now() + 65_000)).toBe(true)
    expect(await store.remember(proof, clock.now() + 65_000)).toBe(false)
    const ttl = await redis.pttl(`tessera:dpop:${proof}`)
    expect(ttl).toBeGreaterThan(60_000)
    expect(ttl).toBeLessThanOrEqual(65_000)
    // The database saw nothing of it: Redis answered.
    expect(await fallback.remember(proof, clock.now() + 65_000)).toBe(true)

    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    })
    // A client's owner listens for its errors, as store/redis-connection.ts does for Tessera's;
    // without a listener ioredis prints each as an "Unhandled error event".
    down.on('error', () => {})
    onTestFinished(() => {
      down.disconnect()
    })
    const degraded = createRedisDpopReplayStore(down, fallback, clock)
    const late = id()
    // The first failure starts the outage; a proof made after it (beyond the 5 s leeway) goes to the database.
    expect(await degraded.remember(id(), clock.now() + 65_000, clock.now())).toBe(false)
    clock.advance(6_000)
    expect(await degraded.remember(late, clock.now() + 65_000, clock.now())).toBe(true)
    expect(await degraded.remember(late, clock.now() + 65_000, clock.now())).toBe(false)
  })

  it('closes both hand-over gaps: a proof Redis accepted is refused once Redis fails, and one the database accepted is refused once Redis is back (issue 16)', async () => {
    const database = await openMigratedTestDatabase('postgres')
    const fallback = createDpopReplayStore(database.db)
    const clock = createManualClock(Date.now())
    const redis = new Redis('redis://127.0.0.1:6379', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    })
    onTestFinished(() => {
      redis.disconnect()
    })
    await redis.connect()
    const store = createRedisDpopReplayStore(redis, fallback, clock)
    const life = 65_000

    // Accepted through Redis, then Redis goes away: the replay reaches the database, which never saw it.
    const early = id()
    const earlyIat = clock.now()
    expect(await store.remember(early, earlyIat + life, earlyIat)).toBe(true)
    redis.disconnect()
    clock.advance(1_000)
    expect(await store.remember(early, earlyIat + life, earlyIat)).toBe(false)
    expect(await fallback.seen(early, clock.now())).toBe(false)

    // A proof made after the outage began is accepted by the database, once.
    clock.advance(6_000)
    const during = id()
    const duringIat = clock.now()
    expect(await store.remember(during, duringIat + life, duringIat)).toBe(true)
    expect(await store.remember(during, duringIat + life, duringIat)).toBe(false)

    // Redis is back and never saw that proof: the database still refuses its replay.
    await redis.connect()
    expect(await store.remember(during, duringIat + life, duringIat)).toBe(false)
    // And new proofs go through Redis again, with no database write.
    const after = id()
    expect(await store.remember(after, clock.now() + life, clock.now())).toBe(true)
    expect(await fallback.seen(after, clock.now())).toBe(false)
    expect(await store.remember(after, clock.now() + life, clock.now())).toBe(false)
  })
})
