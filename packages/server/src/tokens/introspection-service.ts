import type { Application } from '../applications/application.js'
import type { ApplicationService } from '../applications/application-service.js'
import type { RevocationLog } from '../revocation/revocation-log.js'
import { sessionState } from '../sessions/session.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { digestMatches, digestsEqual, heldDigests, sha256 } from '../shared/digest.js'
import { settled } from '../shared/maybe-promise.js'
import { parseOpaqueToken } from '../shared/opaque-token.js'
import type { AccessTokenWithBinding, IntrospectedAccessToken, TokenBinding } from './access-token-binding.js'
import { isCompactJwe } from './access-token-encryption.js'
import type { AccessTokenStore } from './access-token-store.js'
import type { AccessTokenVerifier } from './access-token-verifier.js'
import { type ActiveAccessToken, activeResponses, INACTIVE, type IntrospectionResponse } from './introspection-answer.js'
import { type ConfigHeld, createIntrospectionConfigChecks } from './introspection-config-checks.js'
import { decideRefresh, type RefreshPolicy } from './refresh-token.js'
import type { RefreshTokenStore } from './refresh-token-store.js'
import { dotsIn } from './token-dots.js'
import { userinfoApi } from './userinfo-api.js'

/** Read only: introspection never writes. */
export interface IntrospectionStores {
  accessTokens: Pick<AccessTokenStore, 'findByJtiWithBinding' | 'findByTokenHashWithBinding'>
  refreshTokens: Pick<RefreshTokenStore, 'findById'>
  revocations: Pick<RevocationLog, 'isRevoked' | 'isAccessTokenOrKeyRevoked'>
}

export interface IntrospectionServiceDeps {
  stores: IntrospectionStores
  clock: Clock
  issuer: string
  sessions: Pick<SessionService, 'live' | 'policy'>
  verifyAccessToken: AccessTokenVerifier
  refreshPolicy: RefreshPolicy
  /**
   * Whether a token's API is still registered (the composition root's cached read); a deleted
   * API's tokens are inactive (issue 16). The built-in userinfo audience always is.
   */
  apiExists?: (identifier: string) => Promise<boolean>
  /** Both may be the composition root's cached reads (app/config-cache.ts): neither changes per token. */
  applications: Pick<ApplicationService, 'find'>
  clientCutoffs: Pick<RevocationLog, 'clientCutoff'>
  /** A deleted API's cut-off (tokens/api-token-cut-off.ts); may be the same cached reads. */
  apiCutoffs: Pick<RevocationLog, 'apiCutoff'>
  /**
   * What the cached reads above hold now, without waiting (app/config-cache.ts): exactly what they
   * would answer, or `undefined` when they do not hold it and must read. Absent, every check reads.
   */
  held?: ConfigHeld
}

const activeAsIs = (active: ActiveAccessToken | null) => active

export type IntrospectionService = ReturnType<typeof createIntrospectionService>
export type { ActiveAccessToken, IntrospectionResponse }

/**
 * RFC 7662. A token is active only if it verifies, is unexpired and unrevoked, its client still
 * exists, its session is live and its token version current. Anything else, including a token the
 * caller may not see, is `{"active": false}` and nothing more (RFC 7662 §2.2).
 */
export function createIntrospectionService(deps: IntrospectionServiceDeps) {
  const { stores, clock } = deps
  const userinfoAudience = userinfoApi(deps.issuer).identifier
  const config = createIntrospectionConfigChecks({ ...deps, userinfoAudience })
  const activeResponse = activeResponses(deps.issuer)
  /**
   * What a frozen row (a read-cache entry, tokens/access-token-read-cache.ts) makes of itself once
   * it passed the checks: the same row comes back as the same objects on every hit, so its
   * ActiveAccessToken and its answer are built once (issue 17), and its secret digest's bytes
   * (`storedDigest`). Only the shape is kept: every check (the secret, expiry, revocation, client, API,
   * cut-offs, session, user, caller) runs on every introspection.
   */
  const records = new WeakMap<IntrospectedAccessToken, { binding: TokenBinding | null; active: ActiveAccessToken }>()
  const storedDigest = heldDigests()

  /** May this caller see a token of `clientId` for audience `aud`? Its own, or its API's (resource server). */
  function mayInspect(caller: Application, clientId: string, aud: string | null): boolean {
    if (caller.id === clientId) return true
    return caller.type === 'resource-server' && aud !== null && caller.apis.includes(aud)
  }

  /** The user-bound checks every session-bound token must pass. */
  async function bindingIsLive(sessionId: string | null, userId: string | null, tokenVersion: number | null): Promise<boolean> {
    return (await liveBinding(sessionId, userId, tokenVersion)) !== null
  }

  /**
   * The token's session when its binding is live, with the session's methods now; `{ amr: null }`
   * for a token bound to no session. A token's own methods (issued, 0026) come first: a step-up of
   * the session changes only tokens issued after it (docs/mfa.md "Step-up").
   */
  async function liveBinding(sessionId: string | null, userId: string | null, tokenVersion: number | null) {
    if (sessionId === null) return userId === null ? { amr: null } : null
    return bindingOf(await deps.sessions.live(sessionId), userId, tokenVersion)
  }

  /** `liveBinding` on a session and user read with the token (activeRecord): no read of its own. */
  function liveRead(sessionId: string | null, userId: string | null, tokenVersion: number | null, read: TokenBinding | null) {
    if (sessionId === null) return userId === null ? { amr: null } : null
    return bindingOf(liveOf(read), userId, tokenVersion)
  }

  /** A live session's binding holds if it is the token's user's, and the token's version is current. */
  function bindingOf(live: TokenBinding | null, userId: string | null, tokenVersion: number | null) {
    if (!live || live.user.id !== userId) return null
    return tokenVersion === null || tokenVersion >= live.user.tokenVersion ? { amr: live.session.amr } : null
  }

  /**
   * SessionService.live's rule on a session and user read with the token (one query instead of
   * two, issue 17): the session is neither revoked nor expired, and its user is active.
   */
  function liveOf(read: TokenBinding | null): TokenBinding | null {
    if (read === null || read.user.status !== 'active') return null
    return sessionState(read.session, deps.sessions.policy, clock.now()) === 'live' ? read : null
  }

  /**
   * An access token (JWT or opaque reference) that is active now: it verifies, is unexpired and
   * unrevoked (jti, signing key, client cut-off), its client still exists, and its session and token version are
   * live. The one check behind introspection and every bearer-protected route (the admin API).
   */
  function activeAccessToken(token: string): ActiveAccessToken | null | Promise<ActiveAccessToken | null> {
    return judgeAccessToken(token, activeAsIs)
  }

  /**
   * `activeAccessToken`, handed to `next` (issue 17): when the verdict must wait (the batched read
   * on PostgreSQL, a read-cache miss), `next` runs in the same reaction as the verdict, not in a
   * promise chained after it, so an introspection that waits costs one promise reaction fewer.
   */
  function judgeAccessToken<R>(token: string, next: (active: ActiveAccessToken | null) => R | Promise<R>): R | Promise<R> {
    const now = clock.now()
    const dots = dotsIn(token)
    if (dots === 2) return activeJwt(token, now).then(next)
    if (dots === 4 && isCompactJwe(token)) return activeEncrypted(token, now).then(next)
    const parsed = parseOpaqueToken(token)
    if (!parsed) return next(null)
    // Without a promise when the read cache holds the row (issue 17): the usual introspection awaits nothing.
    const found = stores.accessTokens.findByJtiWithBinding(parsed.id)
    if (found instanceof Promise) return found.then((read) => settled(activeOpaque(read, parsed.secretHash, now), next))
    return settled(activeOpaque(found, parsed.secretHash, now), next)
  }

  /** An opaque token's row, if its secret's digest matches (in constant time) and it is active now. */
  function activeOpaque(found: AccessTokenWithBinding | null, secretHash: string, now: number) {
    const access = found?.token
    if (!found || access?.format !== 'opaque' || access.secretHash === null) return null
    // A frozen row (a cache entry) keeps its digest's bytes (issue 17); any other makes them now.
    // What is held is looked for first: only frozen rows are ever held, and asking a wide row
    // whether it is frozen costs more than the look-up (issue 17 round ten).
    const stored =
      storedDigest.peek(access, access.secretHash) ??
      (Object.isFrozen(access) ? storedDigest(access, access.secretHash) : Buffer.from(access.secretHash, 'utf8'))
    return digestMatches(stored, secretHash) ? activeRecord(access, found.binding, now) : null
  }

  /** A JWT access token: its signature and claims, then the same checks as a recorded token's. */
  async function activeJwt(token: string, now: number): Promise<ActiveAccessToken | null> {
    const claims = await deps.verifyAccessToken(token)
    if (!claims) return null
    // Revoked by its jti, or its key was: another instance may have revoked the key within this
    // instance's key-set cache second. Both in one read (one round trip on PostgreSQL).
    if (await stores.revocations.isAccessTokenOrKeyRevoked(claims.jti, claims.kid, now)) return null
    if (!(config.held(claims.clientId, claims.aud, claims.iat) ?? (await config.read(claims.clientId, claims.aud, claims.iat, now))))
      return null
    const userId = claims.sid ? claims.sub : null
    const binding = await liveBinding(claims.sid, userId, claims.tokenVersion)
    if (!binding) return null
    return {
      amr: claims.amr ?? binding.amr,
      format: 'jwt',
      sub: claims.sub,
      aud: claims.aud,
      clientId: claims.clientId,
      scope: claims.scope,
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      sid: claims.sid,
      authTime: claims.authTime,
      tokenVersion: claims.tokenVersion,
      roles: null,
      jkt: claims.jkt,
    }
  }

  /** An encrypted token, known by the SHA-256 of what Tessera sent. */
  async function activeEncrypted(token: string, now: number): Promise<ActiveAccessToken | null> {
    // Issue 16 part 7: Tessera holds no key that decrypts an encrypted token; it knows the token
    // by the SHA-256 of what it sent (docs/tokens.md "Encrypted access tokens").
    const found = await stores.accessTokens.findByTokenHashWithBinding(sha256(token))
    const access = found?.token
    if (!found || access?.format !== 'jwe') return null
    if (
      access.signingKid !== null &&
      access.signingKid !== undefined &&
      (await stores.revocations.isRevoked('key', access.signingKid, now))
    )
      return null
    return activeRecord(access, found.binding, now)
  }

  /**
   * A recorded token (opaque or encrypted) that is active now, by the same rules as a JWT's claims;
   * `binding` is its session and user as read with it.
   */
  function activeRecord(
    access: IntrospectedAccessToken,
    binding: AccessTokenWithBinding['binding'],
    now: number,
  ): ActiveAccessToken | null | Promise<ActiveAccessToken | null> {
    if (access.revokedAt !== null || now >= access.expiresAt) return null
    const iat = Math.floor(access.createdAt / 1000)
    // Without a wait when the config cache holds all it needs (issue 17): one await fewer per read.
    const held = config.held(access.clientId, access.api, iat)
    if (held === false) return null
    if (held === undefined) {
      return config.read(access.clientId, access.api, iat, now).then((allowed) => (allowed ? liveRecord(access, binding) : null))
    }
    return liveRecord(access, binding)
  }

  /** A recorded token that passed the checks above, if its session and user are live. */
  function liveRecord(access: IntrospectedAccessToken, binding: AccessTokenWithBinding['binding']): ActiveAccessToken | null {
    const live = liveRead(access.sessionId, access.userId, access.tokenVersion, binding)
    if (!live) return null
    const held = records.get(access)
    if (held !== undefined && held.binding === binding) return held.active
    const active: ActiveAccessToken = {
      amr: access.amr ?? live.amr,
      format: access.format,
      sub: access.userId ?? access.clientId,
      aud: access.api,
      clientId: access.clientId,
      scope: access.scope,
      exp: Math.floor(access.expiresAt / 1000),
      iat: Math.floor(access.createdAt / 1000),
      jti: access.jti,
      sid: access.sessionId,
      authTime: access.authTime !== null ? Math.floor(access.authTime / 1000) : null,
      tokenVersion: access.tokenVersion,
      roles: access.roles ?? null,
      jkt: access.dpopJkt ?? null,
    }
    // A frozen row is a cache entry that stays as it is; anything else may change and is built afresh.
    if (Object.isFrozen(access) && (binding === null || Object.isFrozen(binding))) {
      records.set(access, { binding, active: Object.freeze(active) })
    }
    return active
  }

  /** The answer for an active access token, or the refresh token's when it is none. */
  function answerFor(
    caller: Application,
    token: string,
    access: ActiveAccessToken | null,
    now: number,
  ): IntrospectionResponse | Promise<IntrospectionResponse> {
    if (access) return mayInspect(caller, access.clientId, access.aud) ? activeResponse(access) : INACTIVE
    return refreshAnswer(caller, token, now)
  }

  return {
    /** For the bearer-protected routes (the admin API): always a promise. */
    activeAccessToken: async (token: string): Promise<ActiveAccessToken | null> => activeAccessToken(token),

    /**
     * The RFC 7662 answer; without a promise when everything it reads is held in memory (issue 17:
     * the route then answers without a wait). Every check runs either way.
     */
    introspect(caller: Application, token: string): IntrospectionResponse | Promise<IntrospectionResponse> {
      const now = clock.now()
      return judgeAccessToken(token, (active) => answerFor(caller, token, active, now))
    },
  }

  /** A token that is no active access token: a refresh token of the caller's own, or inactive. */
  async function refreshAnswer(caller: Application, token: string, now: number): Promise<IntrospectionResponse> {
    if (dotsIn(token) === 2 || isCompactJwe(token)) return INACTIVE
    const parsed = parseOpaqueToken(token)
    if (!parsed) return INACTIVE
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
  }
}
