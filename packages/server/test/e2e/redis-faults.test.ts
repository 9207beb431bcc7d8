import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { testTempDir } from '../test-database.js'
import {
  describeInstances,
  expectAlive,
  instanceEnv,
  masterKey,
  openFeed,
  propagationMs,
  registerFeedReader,
  signOut,
  signUpBearer,
  startInstances,
  stopAll,
  until,
} from './fault-harness.js'
import { type PrivateRedis, startPrivateRedis } from './private-redis.js'
import type { RunningTessera } from './tessera-process.js'

// Issue 18 part 1: a Redis restart under two real instances, on a Redis of the test's own. The
// instances share one SQLite file and poll once a minute, so only Redis pub/sub can carry a
// revocation from one to the other within the bound.

/** Far below the one-minute poll: a delivery this fast came through Redis. */
const PROPAGATION_BOUND_MS = 3_000
const RECOVERY_BOUND_MS = 15_000

let redis: PrivateRedis | undefined
let instances: RunningTessera[] = []
let dataDir: string | undefined

afterEach(async () => {
  await stopAll(instances)
  instances = []
  await redis?.destroy()
  redis = undefined
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  dataDir = undefined
})

/** Tessera's connections to `redis`, by name, from CLIENT LIST (`sub` is the subscription count). */
async function tesseraClients(url: string): Promise<{ name: string; sub: number }[]> {
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  admin.on('error', () => {})
  try {
    await admin.connect()
    const list = (await admin.client('LIST')) as string
    return list
      .split('\n')
      .map((line) => Object.fromEntries(line.split(' ').map((field) => field.split('='))) as Record<string, string>)
      .filter((fields) => fields.name?.startsWith('tessera-'))
      .map((fields) => ({ name: fields.name as string, sub: Number(fields.sub ?? 0) }))
  } catch {
    return []
  } finally {
    admin.disconnect()
  }
}

describe('Redis faults (issue 18)', () => {
  it('re-subscribes after a Redis restart: revocations reach the other instance in milliseconds again', async ({ annotate }) => {
    redis = await startPrivateRedis()
    dataDir = testTempDir('tessera-faults-')
    const databaseUrl = `sqlite:${join(dataDir, 'tessera.db')}`
    const key = masterKey()
    instances = await startInstances(
      instanceEnv(databaseUrl, {
        TESSERA_MASTER_KEY: key,
        TESSERA_REDIS_URL: redis.url,
        TESSERA_FEED_POLL_INTERVAL: '60000',
        // The recovery is logged at info.
        TESSERA_LOG_LEVEL: 'info',
      }),
      2,
      dataDir,
    )
    const [a, b] = instances.map((instance) => instance.base) as [string, string]
    const feed = await openFeed(b, await registerFeedReader(databaseUrl, key, dataDir))
    try {
      const before = await propagationMs(a, feed, PROPAGATION_BOUND_MS)

      await redis.stop()
      // Without Redis, revocations still commit (the database is the source of truth).
      const { token } = await signUpBearer(a, 'during-outage@example.com')
      await signOut(a, token)
      expectAlive(instances)

      await redis.start()
      const url = redis.url
      const reconnected = await until(
        async () => {
          const clients = await tesseraClients(url)
          const subscribed = clients.filter((client) => client.name === 'tessera-revocation-subscriber' && client.sub === 1)
          return subscribed.length === 2 && clients.filter((client) => client.name === 'tessera-revocation-publisher').length === 2
        },
        RECOVERY_BOUND_MS,
        'both instances subscribed and publishing again',
        () => describeInstances(instances),
      )
      const after = await propagationMs(a, feed, PROPAGATION_BOUND_MS)
      expectAlive(instances)
      for (const instance of instances) {
        // The loss and the recovery are logged once each, however many attempts lie between.
        expect(instance.output().match(/Redis connection lost \(revocation-subscriber\)/g)).toHaveLength(1)
        expect(instance.output().match(/Redis connection restored \(revocation-subscriber\)/g)).toHaveLength(1)
      }
      await annotate(
        `Redis propagation: ${before} ms before the restart, ${after} ms after; reconnected ${reconnected} ms after Redis was back`,
      )
    } finally {
      feed.close()
    }
  }, 60_000)
})
