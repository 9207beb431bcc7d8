import { type Application, GRANT_TYPES } from '../../applications/application.js'
import type { Transact } from '../../store/transaction.js'
import { grantScope, parseScope, requestScope } from '../scope.js'
import type { TokenResponse } from '../token-response.js'
import type { GrantServices } from './grant-deps.js'
import { requestedApi, requireGrant } from './grant-policy.js'
import type { IssuanceStores } from './token-issuance.js'

/** Only an opaque or encrypted token writes (its record); a signed-only JWT needs no transaction at all. */
export type ClientCredentialsDeps = Pick<GrantServices, 'clock' | 'apis' | 'roles' | 'stores' | 'issue'> & {
  transact: Transact<IssuanceStores>
}

export interface ClientCredentialsRequest {
  resource: string[]
  scope: string | undefined
  /** RFC 9449: the thumbprint of the request's checked DPoP proof key, or null. */
  dpopJkt?: string | null
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
      dpopJkt: request.dpopJkt ?? null,
      now: deps.clock.now(),
    }
    const recorded = api.mode === 'session' || Boolean(api.encryptionKey)
    return recorded ? deps.transact((tx) => deps.issue(tx, issuance)) : deps.issue(null, issuance)
  }
}
