/**
 * Runs `work` in one transaction: everything it writes commits together or not at all.
 *
 * Generic over the stores the caller needs: a domain service declares the narrow set of stores it
 * uses (for example `{ sessions: SessionStore; revocations: RevocationLog }`) and receives a
 * `Transact<ThoseStores>`; the composition root hands it a runner over every store, which is
 * assignable because it provides more than the service asks for.
 */
export type Transact<S> = <T>(work: (stores: S) => Promise<T>) => Promise<T>
