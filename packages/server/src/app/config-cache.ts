import type { Api } from '../apis/api.js'
import type { ApiService } from '../apis/api-service.js'
import type { Application } from '../applications/application.js'
import type { ApplicationService } from '../applications/application-service.js'
import type { GrantedPermissions } from '../rbac/role.js'
import type { RoleService } from '../rbac/role-service.js'
import type { RevocationLog } from '../revocation/revocation-log.js'
import { createSignalCacheGroup, type SignalCacheGroup } from '../shared/signal-cache.js'

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
 * by client id, APIs by identifier, and the permissions an application's roles grant on an API
 * (docs/architecture.md §8). The composition root invalidates it on every signal that wakes the
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
    // A read inside a transaction sees that transaction's own state: never from the cache.
    if (tx !== sources.rootStores || subject.kind !== 'application') return read()
    return permissions.get(`${subject.id}\n${api}`, read) as Promise<GrantedPermissions>
  }

  return {
    applications: { find: (clientId: string) => applications.get(clientId, () => sources.applications.find(clientId)) },
    apis: { find: (identifier: string) => apis.get(identifier, () => sources.apis.find(identifier)) },
    roles: { permissionsFor },
    revocations: { clientCutoff, apiCutoff },
    invalidate: group.invalidate,
    enable: group.enable,
    disable: group.disable,
    get size() {
      return group.size
    },
  }
}

export type ConfigCache = ReturnType<typeof createConfigCache>
