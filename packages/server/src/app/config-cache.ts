import type { Api } from '../apis/api.js'
import type { ApiService } from '../apis/api-service.js'
import type { ApiStore } from '../apis/api-store.js'
import type { Application } from '../applications/application.js'
import type { ApplicationService } from '../applications/application-service.js'
import type { GrantedPermissions } from '../rbac/role.js'
import type { RoleService } from '../rbac/role-service.js'
import type { RevocationLog } from '../revocation/revocation-log.js'
import { createSignalCacheGroup, type SignalCache, type SignalCacheGroup } from '../shared/signal-cache.js'
import { boundTransaction } from './stores.js'

/** Enough for every client and API of a large deployment; past it the oldest entry goes. */
const MAX_ENTRIES = 10_000

export interface ConfigCacheSources {
  applications: Pick<ApplicationService, 'find'>
  apis: Pick<ApiService, 'find'>
  roles: Pick<RoleService, 'permissionsFor'>
  revocations: Pick<RevocationLog, 'clientCutoff' | 'apiCutoff'>
  /** The stores bound to the database itself: only reads through them are cached, never reads in a transaction. */
  rootStores: object
}

/**
 * The per-instance cache of what every token request reads and almost never changes: applications
 * by client id, APIs by identifier, and the permissions an application's or a user's roles grant
 * on an API (docs/architecture.md §8). The composition root invalidates it on every signal that wakes the
 * revocation hub and after every local commit that wrote one of them, and enables it only while
 * those signals run; see shared/signal-cache.ts for why a value is never older than that.
 */
export function createConfigCache(sources: ConfigCacheSources) {
  const group: SignalCacheGroup = createSignalCacheGroup({ maxEntriesPerCache: MAX_ENTRIES })
  const applications = group.cache<Application>()
  const apis = group.cache<Api>()
  const permissions = group.cache<GrantedPermissions>()
  // Wrapped, because most clients have no cut-off and the cache never stores a bare null.
  const cutoffs = group.cache<{ at: number | null }>()
  const apiCutoffs = group.cache<{ at: number | null }>()

  /**
   * An application's latest role cut-off (docs/architecture.md §2). Every cut-off is written with a
   * revocation, whose commit drops this cache here and wakes every other instance. A held value
   * ignores `now`: a cut-off that expired meanwhile still applies, which only refuses tokens issued
   * before it, and those expired with it (it is kept as long as the longest access token lives).
   */
  const clientCutoff: RevocationLog['clientCutoff'] = async (clientId, now) =>
    (await cutoffs.get(clientId, async () => ({ at: await sources.revocations.clientCutoff(clientId, now) })))?.at ?? null

  /** A deleted API's cut-off (tokens/api-token-cut-off.ts), cached by the same rules. */
  const apiCutoff: RevocationLog['apiCutoff'] = async (aud, now) =>
    (await apiCutoffs.get(aud, async () => ({ at: await sources.revocations.apiCutoff(aud, now) })))?.at ?? null

  const permissionsFor: RoleService['permissionsFor'] = (tx, subject, api) => {
    const read = () => sources.roles.permissionsFor(tx, subject, api)
    // A user's grants are kept under the token version read with them: every change that can take
    // a permission away raises it in the same commit (rbac/role-cut-off.ts), so a narrowing is a
    // miss at once on every instance, whatever the signals' lag; only a widening waits for them.
    if (subject.kind === 'user' && subject.tokenVersion === undefined) return read()
    const key = subject.kind === 'user' ? `user\n${subject.id}\n${subject.tokenVersion}\n${api}` : `application\n${subject.id}\n${api}`
    if (tx === sources.rootStores) return permissions.get(key, read) as Promise<GrantedPermissions>
    return inTransaction(permissions, tx, key, read) as Promise<GrantedPermissions>
  }

  /** An API by identifier, for a grant inside its transaction (`tx`: the stores bound to it). */
  const findIn = (tx: { apis: Pick<ApiStore, 'findByIdentifier'> }, identifier: string): Promise<Api | null> =>
    inTransaction(apis, tx, identifier, () => tx.apis.findByIdentifier(identifier))

  return {
    applications: { find: (clientId: string) => applications.get(clientId, () => sources.applications.find(clientId)) },
    apis: { find: (identifier: string) => apis.get(identifier, () => sources.apis.find(identifier)), findIn },
    roles: { permissionsFor },
    revocations: { clientCutoff, apiCutoff },
    /**
     * What the caches above hold now, without waiting: exactly what a read through them would
     * answer, or `undefined` when they hold nothing under the key (introspection's checks then read,
     * tokens/introspection-service.ts). Nothing is held while the cache is disabled.
     */
    held: {
      application: (clientId: string): Application | undefined => applications.peek(clientId),
      api: (identifier: string): Api | undefined => apis.peek(identifier),
      apiCutoff: (identifier: string): number | null | undefined => apiCutoffs.peek(identifier)?.at,
      clientCutoff: (clientId: string): number | null | undefined => cutoffs.peek(clientId)?.at,
    },
    invalidate: group.invalidate,
    enable: group.enable,
    disable: group.disable,
    get size() {
      return group.size
    },
  }
}

export type ConfigCache = ReturnType<typeof createConfigCache>

/**
 * A read inside a transaction: the cached value when there is one, else the transaction's own read
 * (never a load through the database: on SQLite that waits for the connection the transaction
 * holds), kept once the transaction has committed, unless an invalidation came since the read
 * began (shared/signal-cache.ts). Kept only after the commit: on SQLite a group's members share one
 * COMMIT, and a value read after another member's uncommitted write is kept only if that write
 * committed, whose invalidation then follows. A transaction that wrote an application, API or role
 * reads its own writes, never the cache. Stores not bound to a transaction read through.
 */
function inTransaction<V>(cache: SignalCache<V>, tx: object, key: string, read: () => Promise<V | null>): Promise<V | null> {
  const transaction = boundTransaction(tx)
  if (!transaction || transaction.configWritten) return read()
  const held = cache.peek(key)
  if (held !== undefined) return Promise.resolve(held)
  const seen = cache.since()
  return read().then((value) => {
    if (value !== null) transaction.afterCommit(() => cache.keep(key, value, seen))
    return value
  })
}
