import type { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { type BackoffPolicy, backoffDelay, RECONNECT_BACKOFF } from '../shared/backoff.js'
import { loadIoredis } from './optional-drivers.js'

export interface RedisConnectionOptions {
  /** What this connection is for, in log lines and in Redis's CLIENT LIST ("revocation-subscriber"). */
  name: string
  logger: Logger
  /** Called on every ready connection, the first and each one after a loss (to catch up on what was missed). */
  onReady?: () => void
  /**
   * A subscriber waits for the connection (its SUBSCRIBE is queued until then); a publisher's
   * commands fail at once while Redis is away, so no caller ever hangs on it.
   */
  role: 'subscriber' | 'publisher'
  backoff?: BackoffPolicy
}

export interface RedisConnection {
  redis: Redis
  /** Connects once; rejects with the reason if Redis does not answer (the client keeps retrying until closed). */
  connect(): Promise<void>
  close(): void
}

/** `redis://user:secret@host` without the secret, for logs and messages. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'the configured Redis URL'
  }
}

/**
 * An ioredis client that can never crash the process and says what happens to it once: every
 * error has a listener, a lost connection is retried with capped exponential back-off and jitter
 * (subscriptions are restored by ioredis), and the log gets one line when it is lost and one when
 * it is back, however many attempts lie between.
 */
export function createRedisConnection(url: string, options: RedisConnectionOptions): RedisConnection {
  const policy = options.backoff ?? RECONNECT_BACKOFF
  const redis = new (loadIoredis().Redis)(url, {
    lazyConnect: true,
    connectionName: `tessera-${options.name}`,
    connectTimeout: 5_000,
    retryStrategy: (times) => backoffDelay(times - 1, policy),
    ...(options.role === 'subscriber' ? { maxRetriesPerRequest: null } : { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
  })
  let state: 'starting' | 'up' | 'down' = 'starting'
  let lastError: Error | undefined
  const where = describeRedisUrl(url)

  redis.on('error', (error: Error) => {
    lastError = error
  })
  redis.on('close', () => {
    if (state === 'up') {
      options.logger.warn(
        { redis: where, reason: lastError?.message },
        `Redis connection lost (${options.name}); reconnecting with back-off, the revocation poll covers meanwhile`,
      )
    }
    if (state !== 'starting') state = 'down'
  })
  redis.on('ready', () => {
    if (state === 'down') options.logger.info({ redis: where }, `Redis connection restored (${options.name})`)
    state = 'up'
    lastError = undefined
    options.onReady?.()
  })

  return {
    redis,
    async connect() {
      try {
        await redis.connect()
      } catch (error) {
        state = 'down'
        // ioredis rejects with "Connection is closed."; the socket error says why.
        throw lastError ?? error
      }
    },
    close() {
      redis.disconnect()
    },
  }
}
