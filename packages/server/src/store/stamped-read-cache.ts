import { type ChangeStamp, type ChangeWatch, sameStamp } from './sqlite-change-stamp.js'

export interface StampedReadCache<V> {
  /**
   * The value under `key`: from memory while the database has not changed since it was read,
   * otherwise from `load`, kept only if the stamp did not move across that read. `freeze` is applied
   * to a value before it is kept.
   */
  get(key: string, load: () => Promise<V | null>): Promise<V | null>
  /** `get`, answered without a promise on a hit (issue 17: introspection's usual path awaits nothing). */
  read(key: string, load: () => Promise<V | null>): V | null | Promise<V | null>
  readonly size: number
}

/**
 * The rule every read cache on SQLite follows (docs/architecture.md §12, "Read caches on SQLite"):
 * `watch` stamps the database synchronously; an entry is used only when the stamp now equals the
 * stamp it was stored under, so a hit returns exactly what `load` would. A new stamp empties the
 * cache; a value read while the stamp moved is returned but not kept. Absent values (null) are never
 * kept. Least recently used goes first past `maxEntries`. Used by sessions/session-read-cache.ts and
 * tokens/access-token-read-cache.ts.
 */
export function stampedReadCache<V>(watch: ChangeWatch, maxEntries: number, freeze: (value: V) => V): StampedReadCache<V> {
  const entries = new Map<string, V>()
  // The stamp every entry was stored under; a new stamp empties the cache.
  let stamp: ChangeStamp | null = null

  function stampNow(): ChangeStamp | null {
    try {
      return watch.stamp()
    } catch {
      // The database cannot answer now (a statement still iterating, closed): read the store.
      return null
    }
  }

  return {
    get size() {
      return entries.size
    },
    async get(key, load) {
      return read(key, load)
    },
    read,
  }

  function read(key: string, load: () => Promise<V | null>): V | null | Promise<V | null> {
    const before = stampNow()
    if (before === null) return load()
    if (stamp !== null && sameStamp(before, stamp)) {
      const hit = entries.get(key)
      if (hit !== undefined) {
        // Least recently used last: a Map keeps insertion order.
        entries.delete(key)
        entries.set(key, hit)
        return hit
      }
    } else {
      entries.clear()
      stamp = null
    }
    return loadAndKeep(key, load, before)
  }

  /** A miss: `load`, its value kept only if the stamp did not move across the read. */
  async function loadAndKeep(key: string, load: () => Promise<V | null>, before: ChangeStamp): Promise<V | null> {
    const found = await load()
    // Kept only if nothing changed from before the read until now: the row is then the current one.
    const after = stampNow()
    if (found === null || after === null || !sameStamp(before, after)) return found
    if (stamp === null || !sameStamp(after, stamp)) {
      entries.clear()
      stamp = after
    }
    entries.set(key, freeze(found))
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
    return found
  }
}
