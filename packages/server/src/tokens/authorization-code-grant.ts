import type { Api } from '../apis/api.js'
import type { Stores, Transact } from '../app/stores.js'
import { type Application, GRANT_TYPES } from '../applications/application.js'
import type { RoleService } from '../rbac/role-service.js'
import { type SessionPolicy, sessionExpiresAt } from '../sessions/session.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { sha256 } from '../shared/digest.js'
import { TesseraError } from '../shared/errors.js'
import { type Metrics, noMetrics } from '../shared/metrics.js'
import { issueOpaqueToken } from '../shared/opaque-token.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { AccessTokenIssuer } from './access-token-issuer.js'
import type { AuthorizationCode } from './authorization-code-store.js'
import type { IdTokenIssuer } from './id-token-issuer.js'
import { verifierMatches } from './pkce.js'
import type { RefreshPolicy } from './refresh-token.js'
import { apiScopesOf, grantScope } from './scope.js'
import type { TokenResponse } from './token-response.js'
import type { TokenService } from './token-service.js'

export interface AuthorizationCodeGrantDeps {
  transact: Transact
  clock: Clock
  random: RandomSource
  issuer: string
  sessions: SessionService
  sessionPolicy: SessionPolicy
  accessTokens: AccessTokenIssuer
  idTokens: IdTokenIssuer
  refreshPolicy: RefreshPolicy
  maxAccessTokenTtl: number
  /** The audience of tokens issued without a resource (tokens/userinfo-api.ts). */
  userinfoApi: Api
  revokeFamilyIn: TokenService['revokeFamilyIn']
  /** What the user's roles grant: the token's API scopes are narrowed to it (RBAC). */
  roles: RoleService
  /** Counts detected code replays (none when absent). */
  metrics?: Pick<Metrics, 'reuseDetected'>
}

export interface CodeRedemption {
  code: string | undefined
  redirectUri: string | undefined
  codeVerifier: string | undefined
  resource: string[]
}

export type CodeTokenResponse = TokenResponse & { id_token?: string }

/** The shape of the codes Tessera issues: 256 random bits, base64url. */
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/

export type AuthorizationCodeGrant = ReturnType<typeof createAuthorizationCodeGrant>

/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5, OIDC Core §3.1.3). The code is
 * redeemed once, atomically; a replay fails and revokes what the first redemption issued
 * (RFC 6749 §4.1.2, RFC 9700 §4.5.3).
 */
export function createAuthorizationCodeGrant(deps: AuthorizationCodeGrantDeps) {
  const { transact, clock } = deps

  async function revokeIssued(tx: Stores, code: AuthorizationCode, now: number) {
    if (code.familyId === null) return
    await deps.revokeFamilyIn(
      tx,
      { familyId: code.familyId, clientId: code.clientId, userId: code.userId, sessionId: code.sessionId },
      'authorization_code_reused',
      now,
    )
  }

  return {
    async redeem(application: Application, request: CodeRedemption): Promise<CodeTokenResponse> {
      if (!application.grants.includes(GRANT_TYPES.authorization_code)) throw new TesseraError('unauthorized_client')
      if (request.code === undefined) throw new TesseraError('invalid_request', { detail: 'code is required' })
      if (request.redirectUri === undefined) throw new TesseraError('invalid_request', { detail: 'redirect_uri is required' })
      // RFC 7636 §4.1: a verifier of the wrong length or charset is a malformed request.
      if (request.codeVerifier !== undefined && !/^[A-Za-z0-9\-._~]{43,128}$/.test(request.codeVerifier))
        throw new TesseraError('invalid_grant', { detail: 'code_verifier must be 43 to 128 unreserved characters' })
      if (request.resource.length > 1) throw new TesseraError('invalid_target', { detail: 'one resource per token' })
      if (!CODE_PATTERN.test(request.code)) throw new TesseraError('invalid_grant')
      const codeHash = sha256(request.code)

      const outcome = await transact(async (tx) => {
        const now = clock.now()
        const code = await tx.authorizationCodes.findByHash(codeHash)
        if (!code) return { kind: 'invalid' as const }
        if (code.usedAt !== null) {
          await revokeIssued(tx, code, now)
          return { kind: 'replayed' as const }
        }
        // RFC 6749 §4.1.3: bound to the client and the redirect URI it was issued for.
        if (code.clientId !== application.id || now >= code.expiresAt || code.redirectUri !== request.redirectUri)
          return { kind: 'invalid' as const }
        // RFC 7636 §4.6; a missing verifier is the PKCE downgrade RFC 9700 §4.8.2 warns of.
        if (!verifierMatches(request.codeVerifier, code.codeChallenge)) return { kind: 'invalid' as const }
        // RFC 8707 §2.2: a resource at the token endpoint must be the one authorized.
        if (request.resource.length === 1 && request.resource[0] !== code.resource)
          throw new TesseraError('invalid_target', { detail: 'the resource must be the one the code was issued for' })
        const response = await issue(tx, application, code, now)
        return { kind: 'ok' as const, response }
      })
      if (outcome.kind === 'replayed') {
        ;(deps.metrics ?? noMetrics).reuseDetected('authorization_code')
        throw new TesseraError('invalid_grant', { detail: 'the code was already used; the tokens issued with it are revoked' })
      }
      if (outcome.kind === 'invalid') throw new TesseraError('invalid_grant')
      return outcome.response
    },
  }

  async function issue(tx: Stores, application: Application, code: AuthorizationCode, now: number): Promise<CodeTokenResponse> {
    const live = await deps.sessions.liveIn(tx, code.sessionId)
    // Refusals throw, rolling back: an unusable code stays unredeemed only until it expires.
    if (!live || live.user.id !== code.userId) throw new TesseraError('invalid_grant', { detail: 'the session has ended' })
    let api = deps.userinfoApi
    let scope: string[] = code.scope.filter((each) => each === 'openid' || each === 'profile' || each === 'email')
    let roles: string[] = []
    if (code.resource !== null) {
      const found = application.apis.includes(code.resource) ? await tx.apis.findByIdentifier(code.resource) : null
      if (!found) throw new TesseraError('invalid_grant', { detail: 'the API is no longer available to this client' })
      api = found
      // The same rule every user grant follows (tokens/scope.ts): what was authorized, narrowed to
      // what the user's roles grant on the API now.
      const granted = await deps.roles.permissionsFor(tx, { kind: 'user', id: code.userId }, api.identifier)
      scope = grantScope(apiScopesOf(code.scope), api, application, granted.permissions)
      roles = granted.roles
    }

    const refresh =
      code.scope.includes('offline_access') && application.grants.includes(GRANT_TYPES.refresh_token) ? issueOpaqueToken(deps.random) : null
    const familyId = refresh?.id ?? randomToken(deps.random, 16)
    if (!(await tx.authorizationCodes.redeem(code.id, now, familyId))) throw new TesseraError('invalid_grant')
    if (refresh) {
      const idle = application.refreshTokenTtl !== null ? application.refreshTokenTtl * 1000 : deps.refreshPolicy.idleTtlMs
      const familyEnd = Math.min(now + deps.refreshPolicy.absoluteTtlMs, live.session.absoluteExpiresAt)
      await tx.refreshTokens.insert({
        id: refresh.id,
        familyId,
        parentId: null,
        sessionId: code.sessionId,
        userId: code.userId,
        clientId: application.id,
        api: api.identifier,
        scope,
        secretHash: refresh.secretHash,
        authTime: code.authTime,
        createdAt: now,
        expiresAt: Math.min(now + idle, familyEnd),
        familyExpiresAt: familyEnd,
        usedAt: null,
        revokedAt: null,
      })
    }
    const sessionEnd = sessionExpiresAt(live.session, deps.sessionPolicy)
    const ttl = Math.max(
      1,
      Math.min(application.accessTokenTtl ?? api.accessTokenTtl, deps.maxAccessTokenTtl, Math.floor((sessionEnd - now) / 1000)),
    )
    // Recorded with its family, so a replayed code can revoke it.
    const access = await deps.accessTokens.issue(
      tx,
      {
        subject: code.userId,
        userId: code.userId,
        sessionId: code.sessionId,
        clientId: application.id,
        api,
        scope,
        authTime: code.authTime,
        tokenVersion: live.user.tokenVersion,
        familyId,
        roles,
      },
      ttl,
    )
    const idToken = code.scope.includes('openid')
      ? await deps.idTokens.issue(tx, {
          issuer: deps.issuer,
          user: live.user,
          clientId: application.id,
          sessionId: code.sessionId,
          authTime: code.authTime,
          amr: live.session.amr,
          nonce: code.nonce,
          scope: code.scope,
          accessToken: access.token,
        })
      : undefined
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      scope: [...scope, ...(refresh ? ['offline_access'] : [])].join(' '),
      ...(refresh ? { refresh_token: refresh.token } : {}),
      ...(idToken ? { id_token: idToken } : {}),
    }
  }
}
