import type { Logger } from 'pino'
import { UnreachableError } from '../shared/unreachable-error.js'
import { startPostgresListener } from '../store/postgres-listener.js'
import { createRedisConnection, describeRedisUrl } from '../store/redis-connection.js'

/** The PostgreSQL channel revocation-log appends NOTIFY (see revocation-log.ts). */
export const POSTGRES_CHANNEL = 'tessera_revocations'
const REDIS_CHANNEL = 'tessera:revocations'

export interface RevocationSignals {
  /** Tell other instances that revocations were committed here (Redis; PostgreSQL does it in the transaction). */
  announce(): void
  close(): Promise<void>
}

export interface RevocationSignalsOptions {
  wake: () => void
  logger: Logger
  pollIntervalMs: number
  postgresUrl?: string
  redisUrl?: string
  /** Start even if Redis does not answer now (it keeps being retried); otherwise that fails the start. */
  redisOptional?: boolean
}

/**
 * Wakes this instance's revocation hub whenever any instance commits a revocation: PostgreSQL
 * LISTEN/NOTIFY, Redis pub/sub when configured, and a poll as the floor (it also covers another
 * process writing the same SQLite file, such as the CLI). LISTEN and the Redis connections come
 * back by themselves after a loss, and each comeback wakes the hub to catch up on what it missed.
 * If a signal cannot start, whatever did start is closed before the error is thrown: a failed
 * start leaves no timer and no connection behind.
 */
export async function startRevocationSignals(options: RevocationSignalsOptions): Promise<RevocationSignals> {
  const closers: (() => Promise<void> | void)[] = []
  const close = async () => {
    await Promise.all(closers.splice(0).map((closer) => closer()))
  }
  let publish: (() => void) | undefined
  try {
    if (options.postgresUrl) {
      const listener = await startPostgresListener({
        connectionString: options.postgresUrl,
        channel: POSTGRES_CHANNEL,
        onNotification: options.wake,
        onListening: options.wake,
        logger: options.logger,
      })
      closers.push(() => listener.close())
    }
    if (options.redisUrl) publish = await startRedisSignals(options.redisUrl, options, closers)
  } catch (error) {
    await close()
    throw error
  }
  const poll = setInterval(options.wake, options.pollIntervalMs)
  poll.unref()
  closers.push(() => clearInterval(poll))

  return {
    announce() {
      publish?.()
    },
    close,
  }
}

async function startRedisSignals(
  url: string,
  options: RevocationSignalsOptions,
  closers: (() => Promise<void> | void)[],
): Promise<() => void> {
  const { logger, wake } = options
  const subscriber = createRedisConnection(url, { name: 'revocation-subscriber', role: 'subscriber', logger, onReady: wake })
  const publisher = createRedisConnection(url, { name: 'revocation-publisher', role: 'publisher', logger })
  closers.push(
    () => subscriber.close(),
    () => publisher.close(),
  )
  subscriber.redis.on('message', () => wake())
  try {
    await Promise.all([subscriber.connect(), publisher.connect()])
    await subscriber.redis.subscribe(REDIS_CHANNEL)
  } catch (error) {
    if (!options.redisOptional) throw new UnreachableError('Redis', describeRedisUrl(url), error)
    logger.warn(
      { redis: describeRedisUrl(url), reason: (error as Error).message },
      'Redis is unreachable: starting without it (redisOptional). Revocations reach other instances through PostgreSQL LISTEN/NOTIFY or the poll until Redis answers; it is retried with back-off.',
    )
    // Queued until the connection is up; ioredis re-subscribes after every reconnection.
    subscriber.redis.subscribe(REDIS_CHANNEL).catch(() => undefined)
  }
  // While Redis is away a publish fails at once; other instances still learn through their poll.
  return () => {
    publisher.redis.publish(REDIS_CHANNEL, '1').catch(() => undefined)
  }
}
