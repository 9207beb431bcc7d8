import type { Logger } from 'pino'
import type { Config } from '../config/config-schema.js'
import { createDatabaseRateLimitCounter } from '../rate-limit/database-rate-limit-counter.js'
import { withFallback } from '../rate-limit/rate-limit-counter.js'
import { createRedisRateLimitCounter } from '../rate-limit/redis-rate-limit-counter.js'
import type { OpenDatabase } from '../store/open-database.js'
import { createRedisConnection } from '../store/redis-connection.js'

/**
 * Per-IP limits are counted where every instance counts: Redis when configured (the database
 * while Redis cannot answer), the database otherwise (issue 18 part 2). The Redis connection is
 * also where DPoP proofs are remembered (wire-tokens.ts); it connects with the background tasks.
 */
export function wireRateLimits(config: Config, database: OpenDatabase, logger: Logger) {
  const databaseRateLimits = createDatabaseRateLimitCounter(database.db)
  const redis = config.redisUrl ? createRedisConnection(config.redisUrl, { name: 'rate-limit', role: 'publisher', logger }) : undefined
  const counter = redis ? withFallback(createRedisRateLimitCounter(redis.redis), databaseRateLimits) : databaseRateLimits
  return { counter, redis }
}

export type RateLimitWiring = ReturnType<typeof wireRateLimits>
