import type { Api } from '../apis/api.js'
import type { ApiService } from '../apis/api-service.js'
import type { Stores, Transact } from '../app/stores.js'
import { type Application, GRANT_TYPES, type GrantType } from '../applications/application.js'
import type { RoleService } from '../rbac/role-service.js'
import { type SessionPolicy, sessionExpiresAt } from '../sessions/session.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { digestsEqual } from '../shared/digest.js'
import { isTesseraError, TesseraError } from '../shared/errors.js'
import { type Metrics, noMetrics } from '../shared/metrics.js'
import { issueOpaqueToken, parseOpaqueToken } from '../shared/opaque-token.js'
import type { RandomSource } from '../shared/random.js'
import type { AccessTokenIssuer } from './access-token-issuer.js'
import { decideRefresh, deriveSuccessor, type RefreshPolicy, type RefreshToken } from './refresh-token.js'
import { grantScope, narrowScope, parseScope, requestScope } from './scope.js'
import { ACCESS_TOKEN_TYPE, SESSION_TOKEN_TYPE, type TokenResponse } from './token-response.js'

export interface TokenServiceDeps {
  transact: Transact
  clock: Clock
  random: RandomSource
  sessions: SessionService
  sessionPolicy: SessionPolicy
  apis: ApiService
  /** What roles grant: every token's scope is narrowed to it (RBAC). */
  roles: RoleService
  /** Read outside transactions (client credentials for JWT APIs write nothing). */
  stores: Pick<Stores, 'roles'>
  accessTokens: AccessTokenIssuer
  refreshPolicy: RefreshPolicy
  /** Derives refresh-token successors (see refresh-token.ts). */
  successorKey: Buffer
  maxAccessTokenTtl: number
  revocationRetentionMs: number
  /** The built-in audience of code-flow tokens issued without a resource (tokens/userinfo-api.ts). */
  userinfoApi: Api
  /** Counts detected refresh-token reuse (none when absent). */
  metrics?: Pick<Metrics, 'reuseDetected'>
}

export interface ExchangeRequest {
  subjectToken: string | undefined
  subjectTokenType: string | undefined
  requestedTokenType: string | undefined
  resource: string[]
  scope: string | undefined
}

export type TokenService = ReturnType<typeof createTokenService>

/** The grants of `POST /oauth/token`, each a short pipeline of checks in order. */
export function createTokenService(deps: TokenServiceDeps) {
  const { transact, clock } = deps

  function requireGrant(application: Application, grant: GrantType) {
    // RFC 6749 §5.2: the client is not authorized to use this grant type.
    if (!application.grants.includes(grant)) throw new TesseraError('unauthorized_client')
  }

  /** RFC 8707 §2: one resource, registered, and allowed for this client. */
  async function resolveApi(application: Application, resource: string[]): Promise<Api> {
    if (resource.length === 0) throw new TesseraError('invalid_target', { detail: 'resource is required: name the API the token is for' })
    if (resource.length > 1) throw new TesseraError('invalid_target', { detail: 'one resource per token' })
    const identifier = resource[0] as string
    const api = await deps.apis.find(identifier)
    if (!api || !application.apis.includes(identifier)) throw new TesseraError('invalid_target')
    return api
  }

  function refreshIdleMs(application: Application): number {
    return application.refreshTokenTtl !== null ? application.refreshTokenTtl * 1000 : deps.refreshPolicy.idleTtlMs
  }

  function accessTtl(application: Application, api: Api): number {
    return Math.min(application.accessTokenTtl ?? api.accessTokenTtl, deps.maxAccessTokenTtl)
  }

  return {
    /** RFC 8693: trade a Tessera session for an access token bound to it, and a refresh token. */
    async exchange(application: Application, request: ExchangeRequest): Promise<TokenResponse> {
      requireGrant(application, GRANT_TYPES.token_exchange)
      if (request.subjectToken === undefined || request.subjectTokenType === undefined) {
        throw new TesseraError('invalid_request', { detail: 'subject_token and subject_token_type are required' })
      }
      if (request.subjectTokenType !== SESSION_TOKEN_TYPE) {
        throw new TesseraError('invalid_request', { detail: `subject_token_type must be ${SESSION_TOKEN_TYPE}` })
      }
      if (request.requestedTokenType !== undefined && request.requestedTokenType !== ACCESS_TOKEN_TYPE) {
        throw new TesseraError('invalid_request', { detail: `requested_token_type must be ${ACCESS_TOKEN_TYPE}` })
      }
      const api = await resolveApi(application, request.resource)
      const candidate = requestScope(parseScope(request.scope), api, application)
      let authenticated: Awaited<ReturnType<SessionService['authenticate']>>
      try {
        authenticated = await deps.sessions.authenticate(request.subjectToken)
      } catch (error) {
        if (isTesseraError(error)) throw new TesseraError('invalid_grant', { detail: `the session is not valid (${error.code})` })
        throw error
      }
      const { session, user } = authenticated
      const now = clock.now()
      const sessionEnd = sessionExpiresAt(session, deps.sessionPolicy)
      const ttl = Math.max(1, Math.min(accessTtl(application, api), Math.floor((sessionEnd - now) / 1000)))
      return transact(async (tx) => {
        const granted = await deps.roles.permissionsFor(tx, { kind: 'user', id: user.id }, api.identifier)
        const scope = grantScope(candidate, api, application, granted.permissions)
        let refresh: string | undefined
        let familyId: string | null = null
        if (application.grants.includes(GRANT_TYPES.refresh_token)) {
          const issued = issueOpaqueToken(deps.random)
          familyId = issued.id
          const idle = refreshIdleMs(application)
          const familyEnd = Math.min(now + deps.refreshPolicy.absoluteTtlMs, session.absoluteExpiresAt)
          await tx.refreshTokens.insert({
            id: issued.id,
            familyId: issued.id,
            parentId: null,
            sessionId: session.id,
            userId: user.id,
            clientId: application.id,
            api: api.identifier,
            scope,
            secretHash: issued.secretHash,
            authTime: session.authTime,
            createdAt: now,
            expiresAt: Math.min(now + idle, familyEnd),
            familyExpiresAt: familyEnd,
            usedAt: null,
            revokedAt: null,
          })
          refresh = issued.token
        }
        const access = await deps.accessTokens.issue(
          tx,
          {
            subject: user.id,
            userId: user.id,
            sessionId: session.id,
            clientId: application.id,
            api,
            scope,
            authTime: session.authTime,
            tokenVersion: user.tokenVersion,
            familyId,
            roles: granted.roles,
          },
          ttl,
        )
        return {
          access_token: access.token,
          issued_token_type: ACCESS_TOKEN_TYPE,
          token_type: 'Bearer',
          expires_in: access.expiresIn,
          scope: scope.join(' '),
          ...(refresh ? { refresh_token: refresh } : {}),
        }
      })
    },

    /**
     * RFC 6749 §6 with rotation (RFC 9700 §4.14.2): every use returns a new refresh token; a
     * rotated token presented again revokes the family, except within the grace window, where it
     * returns the same single successor. Redemption is atomic.
     */
    async refresh(
      application: Application,
      request: { refreshToken: string | undefined; scope: string | undefined; resource: string[] },
    ): Promise<TokenResponse> {
      requireGrant(application, GRANT_TYPES.refresh_token)
      if (request.refreshToken === undefined) throw new TesseraError('invalid_request', { detail: 'refresh_token is required' })
      const presented = request.refreshToken
      const parsed = parseOpaqueToken(presented)
      if (!parsed) throw new TesseraError('invalid_grant')
      const requestedScope = parseScope(request.scope)
      const outcome = await transact(async (tx) => {
        const now = clock.now()
        const token = await tx.refreshTokens.findById(parsed.id)
        // RFC 6749 §10.4: a refresh token is bound to the client it was issued to.
        if (!token || !digestsEqual(token.secretHash, parsed.secretHash) || token.clientId !== application.id)
          return { kind: 'invalid' as const }
        let successor = token.usedAt !== null ? await tx.refreshTokens.findChild(token.id) : null
        let decision = decideRefresh(token, successor, deps.refreshPolicy, now)
        if (decision.kind === 'rotate' && !(await tx.refreshTokens.markUsed(token.id, now))) {
          // Another request rotated or revoked it between our read and our write: judge again on
          // what is stored now (a concurrent revocation is not a reuse).
          const current = await tx.refreshTokens.findById(token.id)
          if (!current) return { kind: 'invalid' as const }
          successor = await tx.refreshTokens.findChild(token.id)
          decision = decideRefresh({ ...current, usedAt: current.usedAt ?? now }, successor, deps.refreshPolicy, now)
        }
        if (decision.kind === 'dead') return { kind: 'invalid' as const }
        if (decision.kind === 'reuse_detected') {
          await revokeFamilyIn(tx, token, 'reuse_detected', now)
          return { kind: 'reused' as const }
        }
        const live = await deps.sessions.liveIn(tx, token.sessionId)
        // Refusals from here on throw, rolling back markUsed: a refused refresh consumes nothing,
        // so a client's retry is not mistaken for reuse.
        if (!live) throw new TesseraError('invalid_grant')
        if (request.resource.length > 1 || (request.resource.length === 1 && request.resource[0] !== token.api)) {
          throw new TesseraError('invalid_target', { detail: 'a refresh token is for the API it was issued for' })
        }
        const familyScope = narrowScope(requestedScope, token.scope)
        const forUserinfo = token.api === deps.userinfoApi.identifier
        const api = forUserinfo ? deps.userinfoApi : await tx.apis.findByIdentifier(token.api)
        if (!api || (!forUserinfo && !application.apis.includes(api.identifier))) throw new TesseraError('invalid_grant')
        // The family's scope narrowed to the roles the user holds now: a removed role narrows the
        // next access token even when its removal did not kill the family. The userinfo audience
        // carries OpenID scopes only, which no role governs.
        const granted = forUserinfo
          ? { permissions: familyScope, roles: [] }
          : await deps.roles.permissionsFor(tx, { kind: 'user', id: live.user.id }, api.identifier)
        const scope = forUserinfo ? familyScope : grantScope(familyScope, api, application, granted.permissions)
        const next = deriveSuccessor(deps.successorKey, presented)
        if (decision.kind === 'rotate') {
          await tx.refreshTokens.insert(successorOf(token, next, now, familyScope, refreshIdleMs(application)))
        }
        const sessionEnd = sessionExpiresAt(live.session, deps.sessionPolicy)
        const ttl = Math.max(1, Math.min(accessTtl(application, api), Math.floor((sessionEnd - now) / 1000)))
        const access = await deps.accessTokens.issue(
          tx,
          {
            subject: live.user.id,
            userId: live.user.id,
            sessionId: token.sessionId,
            clientId: application.id,
            api,
            scope,
            authTime: token.authTime,
            tokenVersion: live.user.tokenVersion,
            familyId: token.familyId,
            roles: granted.roles,
          },
          ttl,
        )
        const response: TokenResponse = {
          access_token: access.token,
          token_type: 'Bearer',
          expires_in: access.expiresIn,
          scope: scope.join(' '),
          refresh_token: next.token,
        }
        return { kind: 'ok' as const, response }
      })
      if (outcome.kind === 'reused') {
        // Counted after the commit: the family is revoked by now.
        ;(deps.metrics ?? noMetrics).reuseDetected('refresh_token')
        throw new TesseraError('invalid_grant', { detail: 'refresh token reuse detected; the token family is revoked' })
      }
      if (outcome.kind === 'invalid') throw new TesseraError('invalid_grant')
      return outcome.response
    },

    /** RFC 6749 §4.4: a machine token, bound to the client instead of a session. */
    async clientCredentials(application: Application, request: { resource: string[]; scope: string | undefined }): Promise<TokenResponse> {
      requireGrant(application, GRANT_TYPES.client_credentials)
      const api = await resolveApi(application, request.resource)
      const candidate = requestScope(parseScope(request.scope), api, application)
      // The application acts for itself: its own roles are the subject's.
      const granted = await deps.roles.permissionsFor(deps.stores, { kind: 'application', id: application.id }, api.identifier)
      const scope = grantScope(candidate, api, application, granted.permissions)
      const grant = {
        subject: application.id,
        userId: null,
        sessionId: null,
        clientId: application.id,
        api,
        scope,
        authTime: null,
        tokenVersion: null,
        familyId: null,
        roles: granted.roles,
      }
      const ttl = accessTtl(application, api)
      // A JWT needs no write at all; an opaque token needs its record.
      const access =
        api.mode === 'session'
          ? await transact((tx) => deps.accessTokens.issue(tx, grant, ttl))
          : await deps.accessTokens.issue(null, grant, ttl)
      return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope: scope.join(' ') }
    },

    revokeFamilyIn,
  }

  /** Revokes a refresh family and every access token issued with it, in the revocation log. */
  async function revokeFamilyIn(
    tx: Stores,
    token: Pick<RefreshToken, 'familyId' | 'clientId' | 'userId' | 'sessionId'>,
    reason: 'reuse_detected' | 'revoked_by_client' | 'authorization_code_reused',
    now: number,
  ) {
    const familyId = token.familyId
    await tx.refreshTokens.revokeFamily(familyId, now)
    for (const access of await tx.accessTokens.listLiveOfFamily(familyId, now)) {
      await tx.accessTokens.revoke(access.jti, now)
      await tx.revocations.append({ kind: 'access_token', jti: access.jti }, now, access.expiresAt)
    }
    await tx.events.append({
      type: EVENT_OF_REASON[reason],
      actor: reason === 'revoked_by_client' ? { kind: 'application', id: token.clientId } : { kind: 'system' },
      userId: token.userId,
      payload: { familyId, clientId: token.clientId, sessionId: token.sessionId },
      ip: null,
      createdAt: now,
    })
  }
}

const EVENT_OF_REASON = {
  reuse_detected: 'refresh_token.reused',
  revoked_by_client: 'refresh_token.revoked',
  authorization_code_reused: 'authorization_code.reused',
} as const

function successorOf(
  parent: RefreshToken,
  next: { id: string; secretHash: string },
  now: number,
  scope: string[],
  idle: number,
): RefreshToken {
  return {
    ...parent,
    id: next.id,
    parentId: parent.id,
    scope,
    secretHash: next.secretHash,
    createdAt: now,
    expiresAt: Math.min(now + idle, parent.familyExpiresAt),
    usedAt: null,
    revokedAt: null,
  }
}
