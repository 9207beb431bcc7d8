import type { Clock } from '../shared/clock.js'
import type { SigningKey } from './signing-key.js'

export interface KeySetViewDeps {
  clock: Clock
  /** How long a read is trusted, from the moment it started: another instance's change shows up within it. */
  ttlMs: number
  /** Reads the current key set outside any transaction. */
  read: () => Promise<SigningKey[]>
}

/** The key set one instance holds in memory (keys/key-service.ts). */
export interface KeySetView {
  /**
   * The key set, read less than `ttlMs` ago. `readInTransaction`: read through a transaction's
   * stores on a miss. Such a read never joins a shared read nor is joined: on SQLite the
   * transaction holds the only connection, so a read through the pool would wait for its commit.
   */
  current(readInTransaction?: () => Promise<SigningKey[]>): Promise<SigningKey[]>
  /** Forgets the held set: this instance changed the keys. A read after it never joins an older one. */
  drop(): void
}

/**
 * The key set with a time bound and one read at a time. When the held set expires, every request
 * in flight misses at once: without sharing, each read the table on its own (55 reads of
 * `signing_keys` in 3 s under 50 concurrent client_credentials requests). Here concurrent misses
 * share one read, as shared/signal-cache.ts does for the config cache, and a read that starts
 * after `drop()` never joins one that began before it, nor does an older read replace a newer set.
 */
export function createKeySetView(deps: KeySetViewDeps): KeySetView {
  let held: { at: number; keys: SigningKey[] } | null = null
  let shared: Promise<SigningKey[]> | null = null
  let generation = 0

  function readAndKeep(read: () => Promise<SigningKey[]>): Promise<SigningKey[]> {
    const at = deps.clock.now()
    const seen = generation
    return read().then((keys) => {
      if (seen === generation && (held === null || held.at <= at)) held = { at, keys }
      return keys
    })
  }

  return {
    current(readInTransaction) {
      const now = deps.clock.now()
      if (held && now >= held.at && now - held.at < deps.ttlMs) return Promise.resolve(held.keys)
      if (readInTransaction) return readAndKeep(readInTransaction)
      if (shared) return shared
      const loading = readAndKeep(deps.read)
      shared = loading
      const settle = () => {
        if (shared === loading) shared = null
      }
      loading.then(settle, settle)
      return loading
    },
    drop() {
      held = null
      shared = null
      generation++
    },
  }
}
