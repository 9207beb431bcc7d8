import type { Api } from '../../apis/api.js'
import type { ApiStore } from '../../apis/api-store.js'
import type { Application } from '../../applications/application.js'
import type { RoleService } from '../../rbac/role-service.js'
import type { RoleStore } from '../../rbac/role-store.js'
import { grantScope } from '../scope.js'
import type { GrantServices } from './grant-deps.js'

export interface GrantedScope {
  scope: string[]
  roles: string[]
}

/**
 * The API a stored grant (an authorization code, a refresh family) was issued for, if this client
 * may still use it; null when it is gone or no longer allowed. No resource means the built-in
 * userinfo audience (tokens/userinfo-api.ts).
 */
export async function storedGrantApi(
  apis: GrantServices['apis'],
  tx: { apis: Pick<ApiStore, 'findByIdentifier'> },
  userinfoApi: Api,
  application: Application,
  identifier: string | null,
): Promise<Api | null> {
  if (identifier === null || identifier === userinfoApi.identifier) return userinfoApi
  if (!application.apis.includes(identifier)) return null
  return apis.findIn(tx, identifier)
}

/**
 * What a user's token carries on an API: the candidate narrowed to the API's and the client's
 * scopes and to what the user's roles grant now (RBAC, tokens/scope.ts), so a removed role narrows
 * the next token even when the grant survived. `openIdOnly` is for the userinfo audience: it
 * carries OpenID scopes, which no role governs.
 */
export async function userGrantedScope(
  roles: Pick<RoleService, 'permissionsFor'>,
  tx: { roles: RoleStore },
  input: {
    application: Application
    api: Api
    /** The user, with the token version read in this transaction (the cache keys their grants by it). */
    user: { id: string; tokenVersion: number }
    candidate: readonly string[]
    openIdOnly?: boolean
  },
): Promise<GrantedScope> {
  const { application, api, candidate } = input
  if (input.openIdOnly) return { scope: candidate.filter((scope) => api.scopes.includes(scope)), roles: [] }
  const { id, tokenVersion } = input.user
  const granted = await roles.permissionsFor(tx, { kind: 'user', id, tokenVersion }, api.identifier)
  return { scope: grantScope(candidate, api, application, granted.permissions), roles: granted.roles }
}
