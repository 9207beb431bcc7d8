import type { ApiStore } from '../../apis/api-store.js'
import type { Application } from '../../applications/application.js'
import { GRANT_TYPES } from '../../applications/application.js'
import type { RoleStore } from '../../rbac/role-store.js'
import type { SessionStore } from '../../sessions/session-store.js'
import { TesseraError } from '../../shared/errors.js'
import { issueOrderedOpaqueToken } from '../../shared/opaque-token.js'
import { randomOrderedId } from '../../shared/ordered-id.js'
import type { UserStore } from '../../users/user-store.js'
import { apiScopesOf } from '../scope.js'
import type { GrantServices } from './grant-deps.js'
import { storedGrantApi, userGrantedScope } from './granted-scope.js'
import type { CodeTokenResponse, IssuanceStores } from './token-issuance.js'

/** The stores the issuance of an approved grant reads and writes, in the grant's transaction. */
export type ApprovedGrantStores = IssuanceStores & { sessions: SessionStore; users: UserStore; apis: ApiStore; roles: RoleStore }

/** What a user approved for a client, as an authorization code or a device authorization stores it. */
export interface ApprovedGrant {
  sessionId: string
  userId: string
  authTime: number
  /** RFC 8176 methods of the session when it approved (0026-token-amr); null or absent: the session's now. */
  amr?: string[] | null
  scope: string[]
  resource: string | null
  nonce: string | null
}

/**
 * The tokens of a grant a user approved in the browser (an authorization code, RFC 6749 §4.1.3;
 * a device authorization, RFC 8628 §3.5), bound to the session that approved it: the session must
 * still be live and the user's, the API still allowed, and the scope is narrowed to what the
 * user's roles grant now. `redeem` marks the grant used with the family id, atomically; any refusal
 * throws, so the caller's transaction rolls back and nothing is spent. When `redeem` finds the
 * grant used already, `RedeemedMeanwhile` is what it throws: nothing was written before it.
 */
export async function issueForApprovedGrant(
  deps: Pick<GrantServices, 'sessions' | 'apis' | 'roles' | 'userinfoApi' | 'issue' | 'random'>,
  tx: ApprovedGrantStores,
  input: {
    application: Application
    grant: ApprovedGrant
    redeem: (familyId: string) => Promise<boolean>
    dpopJkt: string | null
    now: number
  },
): Promise<CodeTokenResponse> {
  const { application, grant } = input
  const live = await deps.sessions.liveIn(tx, grant.sessionId)
  if (!live || live.user.id !== grant.userId) throw new TesseraError('invalid_grant', { detail: 'the session has ended' })
  const api = await storedGrantApi(deps.apis, tx, deps.userinfoApi, application, grant.resource)
  if (!api) throw new TesseraError('invalid_grant', { detail: 'the API is no longer available to this client' })
  const openIdOnly = api === deps.userinfoApi
  // What was authorized, narrowed to what the user's roles grant on the API now.
  const candidate = openIdOnly ? grant.scope : apiScopesOf(grant.scope)
  const granted = await userGrantedScope(deps.roles, tx, { application, api, user: live.user, candidate, openIdOnly })
  const refresh =
    grant.scope.includes('offline_access') && application.grants.includes(GRANT_TYPES.refresh_token)
      ? issueOrderedOpaqueToken(deps.random, input.now)
      : null
  // Every redemption gets a family id, so a replay can revoke the access token too.
  const familyId = refresh?.id ?? randomOrderedId(deps.random, input.now)
  if (!(await input.redeem(familyId))) throw new RedeemedMeanwhile()
  return deps.issue(tx, {
    application,
    api,
    ...granted,
    bound: { session: live.session, user: live.user, authTime: grant.authTime, amr: grant.amr ?? null },
    familyId,
    refresh: refresh ? { open: refresh } : null,
    idToken: grant.scope.includes('openid') ? { nonce: grant.nonce, scope: grant.scope } : null,
    responseScope: [...granted.scope, ...(refresh ? ['offline_access'] : [])],
    dpopJkt: input.dpopJkt,
    now: input.now,
  })
}

/**
 * The grant's conditional update found it redeemed by another request that checked it at the same
 * time (on PostgreSQL the update waited for that transaction's commit). That request is a replay
 * as much as a late one, so the caller revokes what the other issued (RFC 9700 §4.5; issue 16
 * part 9).
 */
export class RedeemedMeanwhile extends Error {}
