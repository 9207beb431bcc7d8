import { coalescedReads } from '../store/coalesced-reads.js'
import type { User } from '../users/user.js'
import type { Session } from './session.js'
import type { SessionStore } from './session-store.js'

type Found = { session: Session; user: User }

/**
 * Queries in flight at once for the session check (of the pool's 10 connections, the rest stay for
 * everything else); while they run, the next batch gathers.
 */
export const SESSION_READS_IN_FLIGHT = 4
/** Distinct sessions per query at most. */
export const SESSION_READS_PER_QUERY = 64

/**
 * The session store for reads outside transactions on PostgreSQL, with `findWithUser` (the read of
 * every session check) coalesced: the checks that arrive in one turn of the event loop are read by
 * one query (`readMany`, sessions/session-store.ts `createSessionBatchRead`), which is sent after
 * every one of them arrived, so each sees every revocation committed before it started, as a query
 * of its own would (docs/sessions.md "The session check on PostgreSQL", store/coalesced-reads.ts).
 * Nothing is kept after the query answered. Checks of one session in one batch share the row, so
 * it is frozen, as the SQLite read cache's are (session-read-cache.ts).
 */
export function withSessionReadBatches(store: SessionStore, readMany: (ids: string[]) => Promise<Found[]>): SessionStore {
  const read = coalescedReads<string, Found>({
    readMany: async (ids) => (await readMany(ids)).map(freeze),
    keyOf: (found) => found.session.id,
    maxInFlight: SESSION_READS_IN_FLIGHT,
    maxKeys: SESSION_READS_PER_QUERY,
  })
  return { ...store, findWithUser: read }
}

function freeze(found: Found): Found {
  Object.freeze(found.session.amr)
  Object.freeze(found.session)
  Object.freeze(found.user)
  return Object.freeze(found)
}
