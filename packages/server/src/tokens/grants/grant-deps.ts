import type { Api } from '../../apis/api.js'
import type { ApiService } from '../../apis/api-service.js'
import type { ApiStore } from '../../apis/api-store.js'
import type { RoleService } from '../../rbac/role-service.js'
import type { RoleStore } from '../../rbac/role-store.js'
import type { SessionService } from '../../sessions/session-service.js'
import type { Clock } from '../../shared/clock.js'
import type { Metrics } from '../../shared/metrics.js'
import type { RandomSource } from '../../shared/random.js'
import type { RefreshPolicy } from '../refresh-token.js'
import type { IssueTokens } from './token-issuance.js'

/**
 * What the grants are given besides their transaction. Each grant picks the part it uses and
 * declares the transaction over its own stores next to itself.
 */
export interface GrantServices {
  clock: Clock
  random: RandomSource
  sessions: Pick<SessionService, 'authenticate' | 'liveIn'>
  /**
   * APIs by identifier: `find` outside a transaction, `findIn` inside one (the per-instance cache's
   * entry, else the transaction's own read; app/config-cache.ts).
   */
  apis: Pick<ApiService, 'find'> & {
    findIn(tx: { apis: Pick<ApiStore, 'findByIdentifier'> }, identifier: string): Promise<Api | null>
  }
  /** What roles grant: every token's scope is narrowed to it (RBAC). */
  roles: Pick<RoleService, 'permissionsFor'>
  /** Read outside transactions (client credentials for JWT APIs write nothing). */
  stores: { roles: RoleStore }
  refreshPolicy: RefreshPolicy
  /** Derives refresh-token successors (tokens/refresh-token.ts). */
  successorKey: Buffer
  /** The built-in audience of code-flow tokens issued without a resource (tokens/userinfo-api.ts). */
  userinfoApi: Api
  /** The issuance step every grant ends with (token-issuance.ts). */
  issue: IssueTokens
  /** Counts detected reuse of refresh tokens and codes (none when absent). */
  metrics?: Pick<Metrics, 'reuseDetected'>
}
