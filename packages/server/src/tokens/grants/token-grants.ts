import type { Api } from '../../apis/api.js'
import type { ApiService } from '../../apis/api-service.js'
import type { RoleService } from '../../rbac/role-service.js'
import type { RoleStore } from '../../rbac/role-store.js'
import type { SessionPolicy } from '../../sessions/session.js'
import type { SessionService } from '../../sessions/session-service.js'
import type { Clock } from '../../shared/clock.js'
import type { Metrics } from '../../shared/metrics.js'
import type { RandomSource } from '../../shared/random.js'
import type { Transact } from '../../store/transaction.js'
import type { AccessTokenIssuer } from '../access-token-issuer.js'
import type { IdTokenIssuer } from '../id-token-issuer.js'
import type { RefreshPolicy } from '../refresh-token.js'
import { type AuthorizationCodeStores, createAuthorizationCodeGrant } from './authorization-code-grant.js'
import { createClientCredentialsGrant } from './client-credentials-grant.js'
import { createRefreshTokenGrant, type RefreshGrantStores } from './refresh-token-grant.js'
import { createTokenExchangeGrant, type TokenExchangeStores } from './token-exchange-grant.js'
import { createTokenIssuance } from './token-issuance.js'

/** Every store a grant writes in its transaction. */
export type TokenGrantStores = TokenExchangeStores & RefreshGrantStores & AuthorizationCodeStores

export interface TokenGrantsDeps {
  transact: Transact<TokenGrantStores>
  /** Read outside transactions (client credentials for JWT APIs write nothing). */
  stores: { roles: RoleStore }
  clock: Clock
  random: RandomSource
  issuer: string
  sessions: Pick<SessionService, 'authenticate' | 'liveIn'>
  sessionPolicy: SessionPolicy
  apis: Pick<ApiService, 'find'>
  /** What roles grant: every token's scope is narrowed to it (RBAC). */
  roles: Pick<RoleService, 'permissionsFor'>
  accessTokens: AccessTokenIssuer
  idTokens: IdTokenIssuer
  refreshPolicy: RefreshPolicy
  /** Derives refresh-token successors (tokens/refresh-token.ts). */
  successorKey: Buffer
  maxAccessTokenTtl: number
  /** The built-in audience of code-flow tokens issued without a resource (tokens/userinfo-api.ts). */
  userinfoApi: Api
  /** Counts detected reuse of refresh tokens and codes (none when absent). */
  metrics?: Pick<Metrics, 'reuseDetected'>
}

export type TokenGrants = ReturnType<typeof createTokenGrants>

/**
 * The grants of `POST /oauth/token`, one file each, sharing one issuance step: the authorization
 * code (RFC 6749 §4.1.3, RFC 7636), refresh with rotation (RFC 6749 §6, RFC 9700 §4.14.2), client
 * credentials (RFC 6749 §4.4) and token exchange (RFC 8693).
 */
export function createTokenGrants(deps: TokenGrantsDeps) {
  const issue = createTokenIssuance(deps)
  return {
    authorizationCode: createAuthorizationCodeGrant({ ...deps, issue }),
    refresh: createRefreshTokenGrant({ ...deps, issue }),
    clientCredentials: createClientCredentialsGrant({ ...deps, issue }),
    exchange: createTokenExchangeGrant({ ...deps, issue }),
  }
}
