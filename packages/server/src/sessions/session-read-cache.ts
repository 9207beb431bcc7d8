import { type ChangeStamp, type ChangeWatch, sameStamp } from '../store/sqlite-change-stamp.js'
import type { User } from '../users/user.js'
import type { Session } from './session.js'
import type { SessionStore } from './session-store.js'

/** ~0.8 KB of heap each (a session with a 100-character user agent, and its user): 3.4 MB when full. */
export const SESSION_READ_CACHE_ENTRIES = 4096

export interface SessionReadCacheOptions {
  watch: ChangeWatch
  /** Sessions kept at most; the least recently checked goes first. */
  maxEntries?: number
}

type Found = { session: Session; user: User }

/**
 * The session store for reads outside transactions, with `findWithUser` (the read of every session
 * check) answered from memory while the database has not changed since the row was read
 * (docs/sessions.md "The session read cache", docs/architecture.md §12). SQLite only: `watch`
 * stamps the database synchronously, and an entry is used only when the stamp now equals the stamp
 * it was stored under, so a hit returns exactly what the store would. What is cached is the row
 * (the session and its user as stored), never a verdict: expiry, idle timeout, revocation, the
 * user's status and the last-activity throttle are judged from the clock on every check, as for a
 * row read from the store. Entries are frozen: a check cannot change what the next one reads.
 * Keyed by the session id, the public half of the token; the secret's hash is compared on every
 * check in constant time, as for a row read from the store.
 */
export function withSessionReadCache(store: SessionStore, options: SessionReadCacheOptions): SessionStore & { readonly size: number } {
  const { watch } = options
  const maxEntries = options.maxEntries ?? SESSION_READ_CACHE_ENTRIES
  const entries = new Map<string, Found>()
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
    ...store,
    get size() {
      return entries.size
    },
    async findWithUser(id) {
      const before = stampNow()
      if (before === null) return store.findWithUser(id)
      if (stamp !== null && sameStamp(before, stamp)) {
        const hit = entries.get(id)
        if (hit) {
          // Least recently used last: a Map keeps insertion order.
          entries.delete(id)
          entries.set(id, hit)
          return hit
        }
      } else {
        entries.clear()
        stamp = null
      }
      const found = await store.findWithUser(id)
      // Kept only if nothing changed from before the read until now: the row is then the current one.
      const after = stampNow()
      if (found === null || after === null || !sameStamp(before, after)) return found
      if (stamp === null || !sameStamp(after, stamp)) {
        entries.clear()
        stamp = after
      }
      entries.set(id, freeze(found))
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string)
      return found
    },
  }
}

function freeze(found: Found): Found {
  Object.freeze(found.session.amr)
  Object.freeze(found.session)
  Object.freeze(found.user)
  return Object.freeze(found)
}
