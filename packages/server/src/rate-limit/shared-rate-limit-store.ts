import type { Clock } from '../shared/clock.js'
import type { RateLimitCounter } from './rate-limit-counter.js'

/** What @fastify/rate-limit asks of a store (its `store` option). */
interface FastifyRateLimitStore {
  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
    max: number,
  ): void
  child(params: { limiter?: unknown }): FastifyRateLimitStore
}

/**
 * The `store` option of @fastify/rate-limit, backed by a shared counter. The plugin creates the
 * store itself (`new Store(params)`), so the counter and clock are bound here, once, at start-up.
 * Each limiter passes a `limiter` name in its options (`app.rateLimit({ ..., limiter: 'credentials' })`)
 * and gets a budget of its own under that name, the same name on every instance.
 */
export function sharedRateLimitStore(counter: RateLimitCounter, clock: Clock) {
  const storeFor = (limiter: string): FastifyRateLimitStore => ({
    incr(key, callback, timeWindow) {
      const now = clock.now()
      counter.hit(`${limiter}:${key}`, timeWindow, now).then(
        (window) => callback(null, { current: window.count, ttl: Math.max(0, window.resetAt - now) }),
        (error: Error) => callback(error),
      )
    },
    child: (params) => storeFor(typeof params.limiter === 'string' ? params.limiter : limiter),
  })
  return function SharedRateLimitStore() {
    return storeFor('default')
  } as unknown as new (
    params: unknown,
  ) => FastifyRateLimitStore
}
