import type { ApiStore } from '../../apis/api-store.js'
import { type Application, GRANT_TYPES } from '../../applications/application.js'
import type { RoleStore } from '../../rbac/role-store.js'
import type { SessionStore } from '../../sessions/session-store.js'
import { digestsEqual } from '../../shared/digest.js'
import { TesseraError } from '../../shared/errors.js'
import { noMetrics } from '../../shared/metrics.js'
import { type IssuedOpaqueToken, parseOpaqueToken } from '../../shared/opaque-token.js'
import type { Transact } from '../../store/transaction.js'
import type { UserStore } from '../../users/user-store.js'
import { type RefreshFamilyStores, redeemRefresh, refreshIdleMs, revokeFamily, successorOf } from '../refresh-family.js'
import { deriveSuccessor, type RefreshToken, replayedSuccessor } from '../refresh-token.js'
import { narrowScope, parseScope } from '../scope.js'
import type { TokenResponse } from '../token-response.js'
import type { GrantServices } from './grant-deps.js'
import { requireGrant } from './grant-policy.js'
import { storedGrantApi, userGrantedScope } from './granted-scope.js'
import type { IssuanceStores } from './token-issuance.js'

export type RefreshGrantStores = IssuanceStores &
  RefreshFamilyStores & { sessions: SessionStore; users: UserStore; apis: ApiStore; roles: RoleStore }

export type RefreshGrantDeps = Pick<
  GrantServices,
  'clock' | 'random' | 'sessions' | 'apis' | 'roles' | 'refreshPolicy' | 'successorKey' | 'userinfoApi' | 'issue' | 'metrics'
> & { transact: Transact<RefreshGrantStores> }

export interface RefreshRequest {
  refreshToken: string | undefined
  scope: string | undefined
  resource: string[]
  /** RFC 9449: the thumbprint of the request's checked DPoP proof key, or null. */
  dpopJkt?: string | null
}

/**
 * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every use returns a new refresh token; a rotated
 * token presented again revokes the family, except within the grace window, where it returns the
 * same single successor. Redemption is atomic.
 */
export function createRefreshTokenGrant(deps: RefreshGrantDeps) {
  return async function refresh(application: Application, request: RefreshRequest): Promise<TokenResponse> {
    requireGrant(application, GRANT_TYPES.refresh_token)
    if (request.refreshToken === undefined) throw new TesseraError('invalid_request', { detail: 'refresh_token is required' })
    const presented = request.refreshToken
    const parsed = parseOpaqueToken(presented)
    if (!parsed) throw new TesseraError('invalid_grant')
    const requestedScope = parseScope(request.scope)
    const outcome = await deps
      .transact(async (tx) => {
        const now = deps.clock.now()
        // RFC 6749 §10.4: a refresh token is bound to the client it was issued to.
        const presentedRightly = (token: RefreshToken) =>
          digestsEqual(token.secretHash, parsed.secretHash) && token.clientId === application.id
        // RFC 9449 §5: a bound family is refreshed only with a proof of its key.
        const requireProof = (token: RefreshToken) => {
          if (token.dpopJkt && token.dpopJkt !== request.dpopJkt) {
            throw new TesseraError('invalid_dpop_proof', {
              detail: 'the refresh token is bound to another DPoP key, or needs a DPoP proof',
            })
          }
        }
        const rotation = { requestedScope, resource: request.resource, now, dpopJkt: request.dpopJkt ?? null }
        // The usual case in one statement: a live, unused token is marked used as it is read.
        // Every refusal from here on throws, rolling that back: a refused refresh consumes
        // nothing, so a client's retry is not mistaken for reuse.
        const redeemed = await tx.refreshTokens.redeem(parsed.id, now)
        if (redeemed) {
          if (!presentedRightly(redeemed)) throw new RefusedRefresh()
          requireProof(redeemed)
          const successor = deriveSuccessor(deps.successorKey, deps.random, presented, now)
          return rotate(tx, application, { ...rotation, token: redeemed, successor, record: true })
        }
        // Used, revoked, expired or unknown: judged on what is stored, and nothing is written
        // unless it is a replay (RFC 9700 §4.14.2).
        const token = await tx.refreshTokens.findById(parsed.id)
        if (!token || !presentedRightly(token)) return 'invalid' as const
        // Checked before the redemption, so a request without it spends nothing.
        requireProof(token)
        const decision = await redeemRefresh(tx, token, deps.refreshPolicy, now)
        if (decision.kind === 'dead') return 'invalid' as const
        if (decision.kind === 'reuse_detected') {
          await revokeFamily(tx, token, 'reuse_detected', now)
          return 'reused' as const
        }
        // RFC 9700 §4.14.2: a replay within the grace window gets the successor already recorded.
        const successor =
          decision.kind === 'replay_within_grace'
            ? replayedSuccessor(deps.successorKey, presented, decision.successor)
            : deriveSuccessor(deps.successorKey, deps.random, presented, now)
        if (!successor) return 'invalid' as const
        return rotate(tx, application, { ...rotation, token, successor, record: decision.kind === 'rotate' })
      })
      .catch((error: unknown) => {
        if (error instanceof RefusedRefresh) return 'invalid' as const
        throw error
      })
    if (outcome === 'reused') {
      // Counted after the commit: the family is revoked by now.
      ;(deps.metrics ?? noMetrics).reuseDetected('refresh_token')
      throw new TesseraError('invalid_grant', { detail: 'refresh token reuse detected; the token family is revoked' })
    }
    if (outcome === 'invalid') throw new TesseraError('invalid_grant')
    return outcome
  }

  /**
   * Issues from a redeemed token: its session must be live and the request may only narrow what
   * the family holds. Records the successor, unless this is a replay within the grace window,
   * which gets the successor already recorded.
   */
  async function rotate(tx: RefreshGrantStores, application: Application, rotation: Rotation): Promise<TokenResponse> {
    const { token, resource, now } = rotation
    const live = await deps.sessions.liveIn(tx, token.sessionId)
    if (!live) throw new TesseraError('invalid_grant')
    // RFC 8707 §2.2: a refresh token is for the API it was issued for.
    if (resource.length > 1 || (resource.length === 1 && resource[0] !== token.api)) {
      throw new TesseraError('invalid_target', { detail: 'a refresh token is for the API it was issued for' })
    }
    const familyScope = narrowScope(rotation.requestedScope, token.scope)
    const api = await storedGrantApi(deps.apis, tx, deps.userinfoApi, application, token.api)
    if (!api) throw new TesseraError('invalid_grant')
    const openIdOnly = api === deps.userinfoApi
    const granted = await userGrantedScope(deps.roles, tx, { application, api, user: live.user, candidate: familyScope, openIdOnly })
    if (rotation.record) {
      const idle = refreshIdleMs(application.refreshTokenTtl, deps.refreshPolicy)
      await tx.refreshTokens.insert(successorOf(token, rotation.successor, now, familyScope, idle))
    }
    return deps.issue(tx, {
      application,
      api,
      ...granted,
      bound: { session: live.session, user: live.user, authTime: token.authTime, amr: token.amr ?? null },
      familyId: token.familyId,
      refresh: { successor: rotation.successor.token },
      // OIDC Core §12.2: a grant that included `openid` gets a new ID token, with the original
      // auth_time and amr (and so acr) of the authentication the family came from, and no nonce.
      idToken: token.idTokenScope !== null ? { nonce: null, scope: token.idTokenScope } : null,
      dpopJkt: rotation.dpopJkt,
      now,
    })
  }
}

/** A live token presented with the wrong secret or by another client: thrown to roll its redemption back. */
class RefusedRefresh extends Error {}

interface Rotation {
  token: RefreshToken
  successor: IssuedOpaqueToken
  requestedScope: string[] | undefined
  resource: string[]
  now: number
  /** False for a replay within the grace window: its successor is recorded already. */
  record: boolean
  dpopJkt: string | null
}
