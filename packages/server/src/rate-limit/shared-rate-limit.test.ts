import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { type PrivateRedis, startPrivateRedis } from '../../test/e2e/private-redis.js'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { createTestDatabase, DIALECTS, type TestDatabase } from '../../test/test-database.js'
import { createTessera, type Tessera } from '../app/tessera.js'
import { loadConfig } from '../config/load-config.js'
import { createManualClock } from '../shared/clock.js'
import { migrateToLatest } from '../store/migrate.js'
import { openDatabase } from '../store/open-database.js'
import { createDatabaseRateLimitCounter } from './database-rate-limit-counter.js'
import { withFallback } from './rate-limit-counter.js'
import { createRedisRateLimitCounter } from './redis-rate-limit-counter.js'

// Issue 18 part 2: per-IP limits hold across instances, through Redis when configured and through
// the database otherwise.

const LIMIT = 4
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function instancesOn(database: TestDatabase, redisUrl?: string): Promise<Tessera[]> {
  const masterKey = randomBytes(32).toString('base64url')
  const clock = createManualClock(Date.now())
  const open = async () => {
    const config = loadConfig({
      env: {},
      overrides: {
        databaseUrl: database.url,
        issuer: 'https://id.example.test',
        masterKey,
        logLevel: 'silent',
        rateLimit: { credentialRequestsPerIp: LIMIT },
        signIn: { freeFailures: 2 },
        ...(redisUrl ? { redisUrl } : {}),
      },
    })
    const tessera = await createTessera(config, { clock, passwordEstimator: sharedSourcePasswordEstimator() })
    await tessera.app()
    await tessera.startBackgroundTasks()
    cleanups.push(() => tessera.close())
    return tessera
  }
  const first = await open()
  return [first, await open()]
}

/** Failed sign-ins (each for another email, so the per-account throttle stays out of it), alternating between instances. */
async function statusesAcross(instances: Tessera[], count: number): Promise<number[]> {
  const statuses: number[] = []
  for (let n = 0; n < count; n += 1) {
    const app = await (instances[n % instances.length] as Tessera).app()
    const response = await app.inject({
      method: 'POST',
      url: '/v1/sign-in',
      payload: { email: `nobody-${n}@example.com`, password: 'not the password at all' },
    })
    statuses.push(response.statusCode)
  }
  return statuses
}

const refusedAfterLimit = [...Array(LIMIT).fill(401), 429, 429]

for (const dialect of DIALECTS) {
  describe(`per-IP limits across instances on ${dialect}`, () => {
    it('lets two instances on one database allow the limit once between them, not twice', async () => {
      const database = createTestDatabase(dialect)
      cleanups.push(() => database.drop())
      const instances = await instancesOn(database)
      expect(await statusesAcross(instances, LIMIT + 2)).toEqual(refusedAfterLimit)
    })

    it('holds the per-account sign-in throttle across instances too', async () => {
      const database = createTestDatabase(dialect)
      cleanups.push(() => database.drop())
      const instances = await instancesOn(database)
      const codes: string[] = []
      // These instances allow 2 free failures per account: the third, on either instance, is throttled.
      for (let n = 0; n < 3; n += 1) {
        const app = await (instances[n % 2] as Tessera).app()
        const response = await app.inject({
          method: 'POST',
          url: '/v1/sign-in',
          payload: { email: 'ann@example.com', password: 'not the password at all' },
        })
        codes.push(response.json().code)
      }
      expect(codes).toEqual(['invalid_credentials', 'invalid_credentials', 'too_many_attempts'])
    })

    it('counts in fixed windows: a new window starts from one, an ended one is pruned', async () => {
      const database = createTestDatabase(dialect)
      cleanups.push(() => database.drop())
      const opened = openDatabase(database.url)
      cleanups.push(() => opened.db.destroy())
      await migrateToLatest(opened)
      const counter = createDatabaseRateLimitCounter(opened.db)
      const t0 = 1_000_000
      expect(await counter.hit('credentials:10.0.0.1', 60_000, t0)).toEqual({ count: 1, resetAt: t0 + 60_000 })
      expect(await counter.hit('credentials:10.0.0.1', 60_000, t0 + 59_999)).toEqual({ count: 2, resetAt: t0 + 60_000 })
      expect(await counter.hit('credentials:10.0.0.2', 60_000, t0 + 1)).toEqual({ count: 1, resetAt: t0 + 60_001 })
      expect(await counter.hit('credentials:10.0.0.1', 60_000, t0 + 60_000)).toEqual({ count: 1, resetAt: t0 + 120_000 })
      expect(await counter.prune(t0 + 60_001)).toBe(1)
      expect(await counter.hit('credentials:10.0.0.2', 60_000, t0 + 60_002)).toEqual({ count: 1, resetAt: t0 + 120_002 })
      // A window carried from Redis: a new one goes on from its count and ends when it did; an open
      // one is raised to it, never lowered; an ended one restarts from it.
      const carried = { count: 6, resetAt: t0 + 90_000 }
      expect(await counter.hit('credentials:10.0.0.3', 60_000, t0, carried)).toEqual({ count: 7, resetAt: t0 + 90_000 })
      expect(await counter.hit('credentials:10.0.0.2', 60_000, t0 + 60_003, carried)).toEqual({ count: 7, resetAt: t0 + 120_002 })
      expect(await counter.hit('credentials:10.0.0.2', 60_000, t0 + 60_004, { count: 2, resetAt: t0 + 90_000 })).toEqual({
        count: 8,
        resetAt: t0 + 120_002,
      })
      expect(await counter.hit('credentials:10.0.0.3', 60_000, t0 + 90_000, { count: 3, resetAt: t0 + 95_000 })).toEqual({
        count: 4,
        resetAt: t0 + 95_000,
      })
    })
  })
}

describe('per-IP limits across instances with Redis', () => {
  let redis: PrivateRedis | undefined
  afterEach(async () => {
    await redis?.destroy()
    redis = undefined
  })

  it('counts in Redis when it answers, and in the shared database while it does not, going on from the count Redis had', async () => {
    redis = await startPrivateRedis()
    const database = createTestDatabase('sqlite')
    cleanups.push(() => database.drop())
    const instances = await instancesOn(database, redis.url)
    expect(await statusesAcross(instances, LIMIT + 2)).toEqual(refusedAfterLimit)
    const admin = new Redis(redis.url)
    try {
      expect(await admin.get('tessera:rate:credentials:127.0.0.1')).toBe(String(LIMIT + 2))
    } finally {
      admin.disconnect()
    }

    // Redis gone: the instances fall back to the database, still one budget between them, and the
    // window goes on from the count Redis had: the switch gives no client a fresh budget.
    await redis.stop()
    expect(await statusesAcross(instances, LIMIT + 2)).toEqual(Array(LIMIT + 2).fill(429))
    // The first instance last saw count 5 (the second counted the sixth), so the database went on
    // from 5: six more hits make 11, one short of every hit, never a fresh budget.
    const [counted] = await (instances[0] as Tessera).database.db.selectFrom('rate_limit_counters').select('count').execute()
    expect(Number(counted?.count)).toBe(2 * (LIMIT + 2) - 1)
  })

  it('falls back to the second counter when the first fails', async () => {
    const calls: string[] = []
    const failing = { hit: async () => Promise.reject(new Error('Connection is closed.')) }
    const database = createDatabaseRateLimitCounterStub(calls)
    expect(await withFallback(failing, database).hit('k', 1000, 0)).toEqual({ count: 1, resetAt: 1000 })
    expect(calls).toEqual(['k'])
  })

  it('carries the last window it saw from one counter to the other, and forgets the least recent key past its bound', async () => {
    const seen: { counter: string; key: string; carried: unknown }[] = []
    let redisUp = true
    const counter = (name: string, count: number) => ({
      async hit(key: string, windowMs: number, now: number, carried?: { count: number; resetAt: number }) {
        if (name === 'redis' && !redisUp) throw new Error('Connection is closed.')
        seen.push({ counter: name, key, carried })
        return { count: Math.max(count, (carried?.count ?? 0) + 1), resetAt: carried?.resetAt ?? now + windowMs }
      },
    })
    const counting = withFallback(counter('redis', 7), counter('database', 1), 2)
    await counting.hit('a', 1000, 0)
    await counting.hit('b', 1000, 0)
    redisUp = false
    expect(await counting.hit('a', 1000, 10)).toEqual({ count: 8, resetAt: 1000 })
    await counting.hit('c', 1000, 10) // a third key: 'b', counted least recently, is forgotten
    expect(await counting.hit('b', 1000, 20)).toEqual({ count: 1, resetAt: 1020 })
    // An ended window is not carried.
    expect(await counting.hit('a', 1000, 1000)).toEqual({ count: 1, resetAt: 2000 })
    expect(seen.map((each) => [each.counter, each.key, each.carried])).toEqual([
      ['redis', 'a', undefined],
      ['redis', 'b', undefined],
      ['database', 'a', { count: 7, resetAt: 1000 }],
      ['database', 'c', undefined],
      ['database', 'b', undefined],
      ['database', 'a', undefined],
    ])
  })

  it('goes on in Redis from a carried count, keeping the window Redis started', async () => {
    redis = await startPrivateRedis()
    const client = new Redis(redis.url)
    try {
      const counter = createRedisRateLimitCounter(client)
      const carried = await counter.hit('credentials:10.0.0.8', 60_000, 5_000, { count: 9, resetAt: 50_000 })
      expect(carried.count).toBe(10)
      // A count already above the carried one is not lowered.
      expect((await counter.hit('credentials:10.0.0.8', 60_000, 6_000, { count: 3, resetAt: 50_000 })).count).toBe(11)
      const ttl = await client.pttl('tessera:rate:credentials:10.0.0.8')
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(60_000)
    } finally {
      client.disconnect()
    }
  })

  it('keeps a window per key in Redis that expires with it', async () => {
    redis = await startPrivateRedis()
    const client = new Redis(redis.url)
    try {
      const counter = createRedisRateLimitCounter(client)
      const first = await counter.hit('credentials:10.0.0.9', 60_000, 5_000)
      expect(first.count).toBe(1)
      expect(first.resetAt).toBeGreaterThan(5_000 + 59_000)
      expect((await counter.hit('credentials:10.0.0.9', 60_000, 6_000)).count).toBe(2)
      const ttl = await client.pttl('tessera:rate:credentials:10.0.0.9')
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(60_000)
    } finally {
      client.disconnect()
    }
  })
})

function createDatabaseRateLimitCounterStub(calls: string[]) {
  return {
    async hit(key: string, windowMs: number, now: number) {
      calls.push(key)
      return { count: 1, resetAt: now + windowMs }
    },
  }
}
