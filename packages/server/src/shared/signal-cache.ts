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
 *
 * While enabled, concurrent misses of one key share one load, as long as no invalidation came
 * between them: a read that starts after an invalidation never joins a load that began before it.
 * Without that, every invalidation (the poll drops the cache every second) sent each request in
 * flight to the database on its own: under 50 concurrent introspections on PostgreSQL, about one
 * extra query per request (bench/tools/ab-token-endpoint.mjs introspect).
 */
export interface SignalCache<V> {
  get(key: string, load: () => Promise<V | null>): Promise<V | null>
  /**
   * The held value, never loading: for a reader inside a transaction, which must read what it
   * misses through its own transaction (on SQLite, a load through the database would wait for the
   * connection that transaction holds).
   */
  peek(key: string): V | undefined
  /** The point a read starts from: pass it to `keep` with what the read found. */
  since(): number
  /**
   * Stores a value read elsewhere (in a transaction, once it committed) that started at `seen`
   * (`since()`), unless an invalidation came after `seen`: then it may be older than the change
   * that invalidated, and is dropped, as a load in flight is.
   */
  keep(key: string, value: V, seen: number): void
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
  /** Each cache's loads in flight that began in the current generation. */
  const loading: Map<string, Promise<unknown>>[] = []
  let generation = 0
  let enabled = false

  const invalidate = () => {
    generation++
    for (const map of maps) map.clear()
    for (const map of loading) map.clear()
  }

  return {
    cache<V>(): SignalCache<V> {
      const map = new Map<string, V>()
      const inFlight = new Map<string, Promise<V | null>>()
      maps.push(map)
      loading.push(inFlight)
      const keep = (key: string, value: V | null, seen: number) => {
        if (enabled && value !== null && seen === generation) {
          // Oldest first out: a Map iterates in insertion order.
          if (map.size >= options.maxEntriesPerCache && !map.has(key)) map.delete(map.keys().next().value as string)
          map.set(key, value)
        }
      }
      const loadAndKeep = async (key: string, load: () => Promise<V | null>, seen: number): Promise<V | null> => {
        const value = await load()
        keep(key, value, seen)
        return value
      }
      return {
        peek: (key) => map.get(key),
        since: () => generation,
        keep,
        get(key, load) {
          const held = map.get(key)
          if (held !== undefined) return Promise.resolve(held)
          if (!enabled) return loadAndKeep(key, load, generation)
          const joined = inFlight.get(key)
          if (joined !== undefined) return joined
          const seen = generation
          const loaded = loadAndKeep(key, load, seen)
          inFlight.set(key, loaded)
          // An invalidation since cleared the map, and a newer load may hold the key by now.
          const settle = () => {
            if (inFlight.get(key) === loaded) inFlight.delete(key)
          }
          loaded.then(settle, settle)
          return loaded
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
