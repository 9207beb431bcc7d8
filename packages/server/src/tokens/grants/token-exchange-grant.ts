import { type Application, GRANT_TYPES } from '../../applications/application.js'
import type { RoleStore } from '../../rbac/role-store.js'
import type { SessionService } from '../../sessions/session-service.js'
import { isTesseraError, TesseraError } from '../../shared/errors.js'
import { issueOrderedOpaqueToken } from '../../shared/opaque-token.js'
import type { Transact } from '../../store/transaction.js'
import { parseScope, requestScope } from '../scope.js'
import { ACCESS_TOKEN_TYPE, SESSION_TOKEN_TYPE, type TokenResponse } from '../token-response.js'
import type { GrantServices } from './grant-deps.js'
import { requestedApi, requireGrant } from './grant-policy.js'
import { userGrantedScope } from './granted-scope.js'
import type { IssuanceStores } from './token-issuance.js'

export type TokenExchangeStores = IssuanceStores & { roles: RoleStore }

export type TokenExchangeDeps = Pick<GrantServices, 'clock' | 'random' | 'sessions' | 'apis' | 'roles' | 'issue'> & {
  transact: Transact<TokenExchangeStores>
}

export interface ExchangeRequest {
  subjectToken: string | undefined
  subjectTokenType: string | undefined
  requestedTokenType: string | undefined
  resource: string[]
  scope: string | undefined
  /** RFC 9449: the thumbprint of the request's checked DPoP proof key, or null. */
  dpopJkt?: string | null
}

/** RFC 8693 §2.1: trade a Tessera session for an access token bound to it, and a refresh token. */
export function createTokenExchangeGrant(deps: TokenExchangeDeps) {
  return async function exchange(application: Application, request: ExchangeRequest): Promise<TokenResponse> {
    requireGrant(application, GRANT_TYPES.token_exchange)
    const subjectToken = sessionSubjectToken(request)
    const api = await requestedApi(deps.apis, application, request.resource)
    const candidate = requestScope(parseScope(request.scope), api, application)
    const { session, user } = await authenticateSubject(deps.sessions, subjectToken)
    const now = deps.clock.now()
    return deps.transact(async (tx) => {
      const granted = await userGrantedScope(deps.roles, tx, { application, api, user, candidate })
      // A refresh token only for a client registered for the refresh grant.
      const refresh = application.grants.includes(GRANT_TYPES.refresh_token) ? issueOrderedOpaqueToken(deps.random, now) : null
      const response = await deps.issue(tx, {
        application,
        api,
        ...granted,
        bound: { session, user, authTime: session.authTime },
        familyId: refresh?.id ?? null,
        refresh: refresh ? { open: refresh } : null,
        idToken: null,
        dpopJkt: request.dpopJkt ?? null,
        now,
      })
      return { ...response, issued_token_type: ACCESS_TOKEN_TYPE }
    })
  }
}

/** RFC 8693 §2.1: the subject is a Tessera session token; only an access token can be requested. */
function sessionSubjectToken(request: ExchangeRequest): string {
  if (request.subjectToken === undefined || request.subjectTokenType === undefined) {
    throw new TesseraError('invalid_request', { detail: 'subject_token and subject_token_type are required' })
  }
  if (request.subjectTokenType !== SESSION_TOKEN_TYPE) {
    throw new TesseraError('invalid_request', { detail: `subject_token_type must be ${SESSION_TOKEN_TYPE}` })
  }
  if (request.requestedTokenType !== undefined && request.requestedTokenType !== ACCESS_TOKEN_TYPE) {
    throw new TesseraError('invalid_request', { detail: `requested_token_type must be ${ACCESS_TOKEN_TYPE}` })
  }
  return request.subjectToken
}

/** RFC 8693 §2.2.2: a subject token that is not a live session is an invalid grant. */
async function authenticateSubject(sessions: Pick<SessionService, 'authenticate'>, token: string) {
  try {
    return await sessions.authenticate(token)
  } catch (error) {
    if (isTesseraError(error)) throw new TesseraError('invalid_grant', { detail: `the session is not valid (${error.code})` })
    throw error
  }
}
