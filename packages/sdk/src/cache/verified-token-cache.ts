/**
 * Verified tokens, each hit only by the exact token string (docs/architecture.md §3, §9): a
 * repeated token costs a map lookup instead of a signature check. Bounded, least recently used first out (a Map keeps
 * insertion order, and a hit re-inserts), and each entry lapses at its own expiry.
 *
 * A hit re-inserts only once its entry has drifted into the older half of the cache: the
 * delete-and-set was the largest cost of a warm verification (bench/tools/ab-sdk-warm.mjs), and an
 * entry hit at least once every maxEntries / 2 insertions still never reaches the eviction end.
 *
 * Entries are found by the token's last KEY_LENGTH characters (the end of a JWS signature, or a
 * JWE's tag) and then compared whole: a Map hashes its string keys, and hashing a whole token of
 * several hundred characters, new on every request, was the largest cost of a hit
 * (bench/tools/ab-sdk-hybrid-hook.mjs). A token that shares a tail with a cached one is a miss,
 * and only a verified token is ever stored, so a forged tail evicts nothing.
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
  token: string
  value: V
  expiresAt: number
  /** The insertion count when the entry was last (re)inserted. */
  order: number
}

/** 32 base64url characters: 192 bits of a signature or tag. */
const KEY_LENGTH = 32

function keyOf(token: string): string {
  return token.length > KEY_LENGTH ? token.slice(-KEY_LENGTH) : token
}

export function createVerifiedTokenCache<V>(maxEntries: number): VerifiedTokenCache<V> {
  const entries = new Map<string, Entry<V>>()
  let inserted = 0
  return {
    get size() {
      return entries.size
    },
    get(token, now) {
      const key = keyOf(token)
      const entry = entries.get(key)
      if (!entry || entry.token !== token) return undefined
      if (entry.expiresAt <= now) {
        entries.delete(key)
        return undefined
      }
      if (inserted - entry.order > maxEntries / 2) {
        entries.delete(key)
        entry.order = inserted++
        entries.set(key, entry)
      }
      return entry.value
    },
    set(token, value, expiresAt) {
      if (maxEntries <= 0) return
      const key = keyOf(token)
      entries.delete(key)
      entries.set(key, { token, value, expiresAt, order: inserted++ })
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next()
        if (oldest.done) break
        entries.delete(oldest.value)
      }
    },
  }
}
