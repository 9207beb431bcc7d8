import type { Redis } from 'ioredis'
import type { RateLimitCounter } from './rate-limit-counter.js'

const KEY_PREFIX = 'tessera:rate:'

// INCR, and on a new key PEXPIRE, in one atomic step; returns the count and the time left. ARGV[2]
// is a carried count (withFallback): the count never comes back below it, and the key keeps its TTL.
const HIT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local floor = tonumber(ARGV[2])
if count <= floor then
  count = floor + 1
  redis.call('SET', KEYS[1], count, 'KEEPTTL')
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`

/** Fixed windows as Redis keys that expire with their window (no pruning needed). */
export function createRedisRateLimitCounter(redis: Redis): RateLimitCounter {
  return {
    async hit(key, windowMs, now, carried) {
      const floor = String(carried?.count ?? 0)
      const [count, ttl] = (await redis.eval(HIT, 1, `${KEY_PREFIX}${key}`, String(windowMs), floor)) as [number, number]
      return { count, resetAt: now + ttl }
    },
  }
}
