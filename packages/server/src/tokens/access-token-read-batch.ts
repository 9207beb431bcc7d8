import { coalescedReads } from '../store/coalesced-reads.js'
import type { AccessTokenBatchReads, AccessTokenWithBinding } from './access-token-binding.js'
import { freezeTokenWithBinding } from './access-token-read-cache.js'
import type { AccessTokenStore } from './access-token-store.js'

/**
 * Queries in flight at once for each of introspection's two reads (opaque and encrypted tokens), as
 * for the session check (sessions/session-read-batch.ts); while they run, the next batch gathers.
 */
export const ACCESS_TOKEN_READS_IN_FLIGHT = 4
/** Distinct tokens per query at most. */
export const ACCESS_TOKEN_READS_PER_QUERY = 64

/**
 * The access-token store for reads outside transactions on PostgreSQL, with introspection's read of
 * a recorded token and its binding coalesced: the introspections that arrive in one turn of the
 * event loop are read by one query (`readMany`, access-token-binding.ts
 * `createAccessTokenBatchReads`), sent after every one of them arrived, so each sees every
 * revocation committed before it started, as a query of its own would (docs/tokens.md "What
 * introspection caches", store/coalesced-reads.ts). Nothing is kept after the query answered.
 * Keyed as the store looks the token up: an opaque token by its id (the secret's hash is compared by
 * the service, in constant time, on every introspection), an encrypted one by the SHA-256 of the
 * token. Reads of one token in one batch share the row, so it is frozen, as the SQLite read
 * cache's are (access-token-read-cache.ts).
 */
export function withAccessTokenReadBatches(store: AccessTokenStore, readMany: AccessTokenBatchReads): AccessTokenStore {
  const options = { maxInFlight: ACCESS_TOKEN_READS_IN_FLIGHT, maxKeys: ACCESS_TOKEN_READS_PER_QUERY }
  const byJti = coalescedReads<string, AccessTokenWithBinding>({
    readMany: async (jtis) => (await readMany.byJti(jtis)).map(freezeTokenWithBinding),
    keyOf: (found) => found.token.jti,
    ...options,
  })
  const byTokenHash = coalescedReads<string, readonly [string, AccessTokenWithBinding]>({
    readMany: async (tokenHashes) =>
      (await readMany.byTokenHash(tokenHashes)).map(([tokenHash, found]) => [tokenHash, freezeTokenWithBinding(found)] as const),
    keyOf: ([tokenHash]) => tokenHash,
    ...options,
  })
  return {
    ...store,
    findByJtiWithBinding: byJti,
    findByTokenHashWithBinding: async (tokenHash) => (await byTokenHash(tokenHash))?.[1] ?? null,
  }
}
