/**
 * Verified tokens, keyed by the whole token string (docs/architecture.md §9): a repeated token costs a map
 * lookup instead of a signature check. Bounded, least recently used first out (a Map keeps
 * insertion order, and a hit re-inserts), and each entry lapses at its own expiry.
 *
 * A hit re-inserts only once its entry has drifted into the older half of the cache: the
 * delete-and-set was the largest cost of a warm verification (bench/tools/ab-sdk-warm.mjs), and an
 * entry hit at least once every maxEntries / 2 insertions still never reaches the eviction end.
 *
 * The cache only remembers that a signature and the claims were good. Everything that can change
 * while a token lives (revocations, the feed's staleness, the key still being published) is
 * checked on every hit by the caller.
 */
export interface VerifiedTokenCache<V> {
  get(token: string, now: number): V | undefined
  set(token: string, value: V, expiresAt: number): void
  readonly size: number
}

interface Entry<V> {
  value: V
  expiresAt: number
  /** The insertion count when the entry was last (re)inserted. */
  order: number
}

export function createVerifiedTokenCache<V>(maxEntries: number): VerifiedTokenCache<V> {
  const entries = new Map<string, Entry<V>>()
  let inserted = 0
  return {
    get size() {
      return entries.size
    },
    get(token, now) {
      const entry = entries.get(token)
      if (!entry) return undefined
      if (entry.expiresAt <= now) {
        entries.delete(token)
        return undefined
      }
      if (inserted - entry.order > maxEntries / 2) {
        entries.delete(token)
        entry.order = inserted++
        entries.set(token, entry)
      }
      return entry.value
    },
    set(token, value, expiresAt) {
      if (maxEntries <= 0) return
      entries.delete(token)
      entries.set(token, { value, expiresAt, order: inserted++ })
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next()
        if (oldest.done) break
        entries.delete(oldest.value)
      }
    },
  }
}
