import type { ApiService } from '../../apis/api-service.js'
import { type Application, GRANT_TYPES } from '../../applications/application.js'
import type { RoleService } from '../../rbac/role-service.js'
import type { RoleStore } from '../../rbac/role-store.js'
import type { Clock } from '../../shared/clock.js'
import type { Transact } from '../../store/transaction.js'
import { grantScope, parseScope, requestScope } from '../scope.js'
import type { TokenResponse } from '../token-response.js'
import { requestedApi, requireGrant } from './grant-policy.js'
import type { IssuanceStores, IssueTokens } from './token-issuance.js'

export interface ClientCredentialsDeps {
  /** Only an opaque token writes (its record); a JWT needs no transaction at all. */
  transact: Transact<IssuanceStores>
  /** Read outside any transaction: the application's own roles. */
  stores: { roles: RoleStore }
  clock: Clock
  apis: Pick<ApiService, 'find'>
  /** What roles grant: every token's scope is narrowed to it (RBAC). */
  roles: Pick<RoleService, 'permissionsFor'>
  issue: IssueTokens
}

export interface ClientCredentialsRequest {
  resource: string[]
  scope: string | undefined
}

/** RFC 6749 §4.4: a machine token, bound to the client instead of a session. */
export function createClientCredentialsGrant(deps: ClientCredentialsDeps) {
  return async function clientCredentials(application: Application, request: ClientCredentialsRequest): Promise<TokenResponse> {
    requireGrant(application, GRANT_TYPES.client_credentials)
    const api = await requestedApi(deps.apis, application, request.resource)
    const candidate = requestScope(parseScope(request.scope), api, application)
    // The application acts for itself: its own roles are the subject's.
    const granted = await deps.roles.permissionsFor(deps.stores, { kind: 'application', id: application.id }, api.identifier)
    const issuance = {
      application,
      api,
      scope: grantScope(candidate, api, application, granted.permissions),
      roles: granted.roles,
      bound: null,
      familyId: null,
      refresh: null,
      idToken: null,
      now: deps.clock.now(),
    }
    return api.mode === 'session' ? deps.transact((tx) => deps.issue(tx, issuance)) : deps.issue(null, issuance)
  }
}
