import type { ChangeWatch } from '../store/sqlite-change-stamp.js'
import { stampedReadCache } from '../store/stamped-read-cache.js'
import type { AccessTokenWithBinding } from './access-token-binding.js'
import type { AccessTokenStore } from './access-token-store.js'

/** ~0.6 KB of heap each (a token with a few scopes and roles, its session and user): 2.5 MB when full. */
export const ACCESS_TOKEN_READ_CACHE_ENTRIES = 4096

export interface AccessTokenReadCacheOptions {
  watch: ChangeWatch
  /** Tokens kept at most; the least recently introspected goes first. */
  maxEntries?: number
}

/**
 * The access-token store for reads outside transactions, with introspection's read of a recorded
 * token and its binding answered from memory while the database has not changed since the row was
 * read (docs/tokens.md "What introspection caches", docs/architecture.md §12), by the same stamped
 * cache as the session check (store/stamped-read-cache.ts). SQLite only. What is cached is the row
 * (the token, its session and user as stored), never a verdict: expiry, revocation, the session's
 * state, the user's status and token version, the cut-offs and the client's authentication are
 * judged on every introspection, as for a row read from the store. Keyed as the store looks the
 * token up: an opaque token by its id (the public half; the secret's hash is compared on every
 * introspection in constant time), an encrypted one by the SHA-256 of the token; never the token.
 */
export function withAccessTokenReadCache(
  store: AccessTokenStore,
  options: AccessTokenReadCacheOptions,
): AccessTokenStore & { readonly size: number } {
  const cache = stampedReadCache<AccessTokenWithBinding>(
    options.watch,
    options.maxEntries ?? ACCESS_TOKEN_READ_CACHE_ENTRIES,
    freezeTokenWithBinding,
  )
  return {
    ...store,
    get size() {
      return cache.size
    },
    // Without a promise on a hit (issue 17); the load is the store's read, a promise.
    findByJtiWithBinding: (jti) => cache.read(`jti:${jti}`, async () => store.findByJtiWithBinding(jti)),
    findByTokenHashWithBinding: (tokenHash) => cache.get(`hash:${tokenHash}`, () => store.findByTokenHashWithBinding(tokenHash)),
  }
}

/** A row shared by several reads, frozen so that none of them can change it for the others (also access-token-read-batch.ts). */
export function freezeTokenWithBinding(found: AccessTokenWithBinding): AccessTokenWithBinding {
  for (const value of Object.values(found.token)) if (typeof value === 'object' && value !== null) Object.freeze(value)
  Object.freeze(found.token)
  if (found.binding) {
    Object.freeze(found.binding.session.amr)
    Object.freeze(found.binding.session)
    Object.freeze(found.binding.user)
    Object.freeze(found.binding)
  }
  return Object.freeze(found)
}
