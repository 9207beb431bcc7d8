import type { Clock } from './clock.js'

/**
 * A value loaded once and shared by every caller; concurrent callers share one load. A failure is
 * remembered for `retryAfter` ms, so an unreachable issuer costs one request per period, not one
 * per incoming request.
 */
export interface CachedLoad<T> {
  get(): Promise<T>
  /** The value, if it has loaded. */
  peek(): T | undefined
}

export function cachedLoad<T>(load: () => Promise<T>, deps: { clock: Clock; retryAfter: number }): CachedLoad<T> {
  let value: T | undefined
  let pending: Promise<T> | null = null
  let failure: { error: unknown; at: number } | null = null

  return {
    peek: () => value,
    get() {
      if (value !== undefined) return Promise.resolve(value)
      if (pending) return pending
      if (failure && deps.clock.now() - failure.at < deps.retryAfter) return Promise.reject(failure.error)
      pending = load().then(
        (loaded) => {
          value = loaded
          failure = null
          pending = null
          return loaded
        },
        (error: unknown) => {
          failure = { error, at: deps.clock.now() }
          pending = null
          throw error
        },
      )
      return pending
    },
  }
}
