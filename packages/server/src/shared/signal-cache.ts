/**
 * A per-instance read cache that is dropped whole whenever something may have changed: the
 * composition root calls `invalidate()` on every signal that wakes the revocation hub (PostgreSQL
 * NOTIFY, Redis, the poll) and after every local commit that changed what is cached
 * (docs/architecture.md §8). Staleness is therefore bounded by the lag of the first such signal.
 *
 * A load that was in flight when `invalidate()` ran may have read the old row: its result is
 * handed to its caller but never stored, so every stored value was read after the latest
 * invalidation. Absent values (`null`) are not stored: unknown keys cannot grow the cache.
 * While disabled (before the signals run, or after they stop), every read goes to the loader.
 */
export interface SignalCache<V> {
  get(key: string, load: () => Promise<V | null>): Promise<V | null>
}

export interface SignalCacheGroup {
  /** A cache in this group, dropped with the others. */
  cache<V>(): SignalCache<V>
  /** Drops every entry of every cache in the group. */
  invalidate(): void
  /** Starts storing (only once the signals that invalidate run). */
  enable(): void
  /** Stops storing and drops everything (the signals stopped). */
  disable(): void
  /** Entries held, all caches together. */
  readonly size: number
}

export function createSignalCacheGroup(options: { maxEntriesPerCache: number }): SignalCacheGroup {
  const maps: Map<string, unknown>[] = []
  let generation = 0
  let enabled = false

  const invalidate = () => {
    generation++
    for (const map of maps) map.clear()
  }

  return {
    cache<V>(): SignalCache<V> {
      const map = new Map<string, V>()
      maps.push(map)
      return {
        async get(key, load) {
          const held = map.get(key)
          if (held !== undefined) return held
          const seen = generation
          const value = await load()
          if (enabled && value !== null && seen === generation) {
            // Oldest first out: a Map iterates in insertion order.
            if (map.size >= options.maxEntriesPerCache) map.delete(map.keys().next().value as string)
            map.set(key, value)
          }
          return value
        },
      }
    },
    invalidate,
    enable() {
      enabled = true
    },
    disable() {
      enabled = false
      invalidate()
    },
    get size() {
      return maps.reduce((sum, map) => sum + map.size, 0)
    },
  }
}
