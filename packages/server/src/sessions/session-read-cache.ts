import type { ChangeWatch } from '../store/sqlite-change-stamp.js'
import { stampedReadCache } from '../store/stamped-read-cache.js'
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
  const cache = stampedReadCache<Found>(options.watch, options.maxEntries ?? SESSION_READ_CACHE_ENTRIES, freeze)
  return {
    ...store,
    get size() {
      return cache.size
    },
    findWithUser: (id) => cache.get(id, () => store.findWithUser(id)),
  }
}

function freeze(found: Found): Found {
  Object.freeze(found.session.amr)
  Object.freeze(found.session)
  Object.freeze(found.user)
  return Object.freeze(found)
}
