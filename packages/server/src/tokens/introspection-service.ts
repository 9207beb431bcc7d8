import type { Application } from '../applications/application.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { digestsEqual } from '../shared/digest.js'
import { parseOpaqueToken } from '../shared/opaque-token.js'
import type { Stores } from '../store/stores.js'
import { TOKEN_VERSION_CLAIM } from './access-token.js'
import type { AccessTokenVerifier } from './access-token-verifier.js'
import { decideRefresh, type RefreshPolicy } from './refresh-token.js'

export interface IntrospectionServiceDeps {
  stores: Pick<Stores, 'accessTokens' | 'refreshTokens' | 'revocations' | 'applications' | 'users'>
  clock: Clock
  issuer: string
  sessions: SessionService
  verifyAccessToken: AccessTokenVerifier
  refreshPolicy: RefreshPolicy
}

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>)

const INACTIVE: IntrospectionResponse = { active: false }

export type IntrospectionService = ReturnType<typeof createIntrospectionService>

/**
 * RFC 7662. A token is active only if it verifies, is unexpired and unrevoked, its client still
 * exists, its session is live and its token version current. Anything else, including a token the
 * caller may not see, is `{"active": false}` and nothing more (RFC 7662 §2.2).
 */
export function createIntrospectionService(deps: IntrospectionServiceDeps) {
  const { stores, clock } = deps

  /** May this caller see a token of `clientId` for audience `aud`? Its own, or its API's (resource server). */
  function mayInspect(caller: Application, clientId: string, aud: string | null): boolean {
    if (caller.id === clientId) return true
    return caller.type === 'resource-server' && aud !== null && caller.apis.includes(aud)
  }

  /** The user-bound checks every session-bound token must pass. */
  async function bindingIsLive(sessionId: string | null, userId: string | null, tokenVersion: number | null): Promise<boolean> {
    if (sessionId === null) return userId === null
    const live = await deps.sessions.live(sessionId)
    if (!live || live.user.id !== userId) return false
    return tokenVersion === null || tokenVersion >= live.user.tokenVersion
  }

  /**
   * A `client` cut-off (an application lost a role permission) kills its tokens issued up to its
   * time. Compared in whole seconds of `iat`, as the SDK's revocation set does, so both agree.
   */
  async function cutOff(clientId: string, iatSeconds: number, now: number): Promise<boolean> {
    const at = await stores.revocations.clientCutoff(clientId, now)
    return at !== null && iatSeconds * 1000 <= at
  }

  return {
    async introspect(caller: Application, token: string): Promise<IntrospectionResponse> {
      const now = clock.now()
      if (token.includes('.') && token.split('.').length === 3) {
        const claims = await deps.verifyAccessToken(token)
        if (!claims || !mayInspect(caller, claims.clientId, claims.aud)) return INACTIVE
        if (await stores.revocations.isRevoked('access_token', claims.jti, now)) return INACTIVE
        // Another instance may have revoked the key within this instance's key-set cache second.
        if (await stores.revocations.isRevoked('key', claims.kid, now)) return INACTIVE
        if (!(await stores.applications.findById(claims.clientId))) return INACTIVE
        if (await cutOff(claims.clientId, claims.iat, now)) return INACTIVE
        const userId = claims.sid ? claims.sub : null
        if (!(await bindingIsLive(claims.sid, userId, claims.tokenVersion))) return INACTIVE
        return {
          active: true,
          iss: deps.issuer,
          sub: claims.sub,
          aud: claims.aud,
          client_id: claims.clientId,
          scope: claims.scope.join(' '),
          token_type: 'Bearer',
          exp: claims.exp,
          iat: claims.iat,
          jti: claims.jti,
          ...(claims.sid ? { sid: claims.sid } : {}),
          ...(claims.authTime !== null ? { auth_time: claims.authTime } : {}),
          ...(claims.tokenVersion !== null ? { [TOKEN_VERSION_CLAIM]: claims.tokenVersion } : {}),
        }
      }
      const parsed = parseOpaqueToken(token)
      if (!parsed) return INACTIVE
      const access = await stores.accessTokens.findByJti(parsed.id)
      if (access?.format === 'opaque' && access.secretHash !== null && digestsEqual(access.secretHash, parsed.secretHash)) {
        if (!mayInspect(caller, access.clientId, access.api)) return INACTIVE
        if (access.revokedAt !== null || now >= access.expiresAt) return INACTIVE
        if (!(await stores.applications.findById(access.clientId))) return INACTIVE
        if (await cutOff(access.clientId, Math.floor(access.createdAt / 1000), now)) return INACTIVE
        if (!(await bindingIsLive(access.sessionId, access.userId, access.tokenVersion))) return INACTIVE
        return {
          active: true,
          iss: deps.issuer,
          sub: access.userId ?? access.clientId,
          aud: access.api,
          client_id: access.clientId,
          scope: access.scope.join(' '),
          token_type: 'Bearer',
          exp: Math.floor(access.expiresAt / 1000),
          iat: Math.floor(access.createdAt / 1000),
          jti: access.jti,
          ...(access.sessionId ? { sid: access.sessionId } : {}),
          ...(access.authTime !== null ? { auth_time: Math.floor(access.authTime / 1000) } : {}),
          ...(access.tokenVersion !== null ? { [TOKEN_VERSION_CLAIM]: access.tokenVersion } : {}),
        }
      }
      const refresh = await stores.refreshTokens.findById(parsed.id)
      // Refresh tokens are shown only to the client that holds them, never to resource servers.
      if (!refresh || !digestsEqual(refresh.secretHash, parsed.secretHash) || refresh.clientId !== caller.id) return INACTIVE
      if (decideRefresh(refresh, null, deps.refreshPolicy, now).kind !== 'rotate') return INACTIVE
      if (!(await bindingIsLive(refresh.sessionId, refresh.userId, null))) return INACTIVE
      return {
        active: true,
        iss: deps.issuer,
        sub: refresh.userId,
        aud: refresh.api,
        client_id: refresh.clientId,
        scope: refresh.scope.join(' '),
        token_type: 'refresh_token',
        exp: Math.floor(Math.min(refresh.expiresAt, refresh.familyExpiresAt) / 1000),
        iat: Math.floor(refresh.createdAt / 1000),
        sid: refresh.sessionId,
      }
    },
  }
}
