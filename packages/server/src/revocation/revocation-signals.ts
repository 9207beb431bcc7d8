import { Redis } from 'ioredis'
import pg from 'pg'
import type { Logger } from 'pino'

/** The PostgreSQL channel revocation-log appends NOTIFY (see revocation-log.ts). */
export const POSTGRES_CHANNEL = 'tessera_revocations'
const REDIS_CHANNEL = 'tessera:revocations'

export interface RevocationSignals {
  /** Tell other instances that revocations were committed here (Redis; PostgreSQL does it in the transaction). */
  announce(): void
  close(): Promise<void>
}

/**
 * Wakes this instance's revocation hub whenever any instance commits a revocation: PostgreSQL
 * LISTEN/NOTIFY, Redis pub/sub when configured, and a poll as the floor (it also covers another
 * process writing the same SQLite file, such as the CLI).
 */
export async function startRevocationSignals(options: {
  wake: () => void
  logger: Logger
  pollIntervalMs: number
  postgresUrl?: string
  redisUrl?: string
}): Promise<RevocationSignals> {
  const closers: (() => Promise<void>)[] = []
  const poll = setInterval(options.wake, options.pollIntervalMs)
  poll.unref()
  closers.push(async () => clearInterval(poll))

  if (options.postgresUrl) {
    const client = new pg.Client({ connectionString: options.postgresUrl })
    client.on('error', (error) => options.logger.warn({ err: error }, 'revocation LISTEN connection failed; polling continues'))
    client.on('notification', () => options.wake())
    await client.connect()
    await client.query(`listen ${POSTGRES_CHANNEL}`)
    closers.push(() => client.end().catch(() => undefined))
  }

  let publisher: Redis | undefined
  if (options.redisUrl) {
    const subscriber = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    publisher = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    for (const connection of [subscriber, publisher]) {
      connection.on('error', (error) => options.logger.warn({ err: error }, 'Redis connection failed; polling continues'))
    }
    await Promise.all([subscriber.connect(), publisher.connect()])
    await subscriber.subscribe(REDIS_CHANNEL)
    subscriber.on('message', () => options.wake())
    const pub = publisher
    closers.push(async () => {
      subscriber.disconnect()
      pub.disconnect()
    })
  }

  return {
    announce() {
      publisher?.publish(REDIS_CHANNEL, '1').catch(() => undefined)
    },
    async close() {
      await Promise.all(closers.map((close) => close()))
    },
  }
}
