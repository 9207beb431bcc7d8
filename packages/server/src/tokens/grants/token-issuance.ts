import type { Api } from '../../apis/api.js'
import { type Application, isConfidential } from '../../applications/application.js'
import type { SigningKeyStore } from '../../keys/signing-key-store.js'
import { type Session, type SessionPolicy, sessionExpiresAt } from '../../sessions/session.js'
import { TesseraError } from '../../shared/errors.js'
import type { IssuedOpaqueToken } from '../../shared/opaque-token.js'
import type { User } from '../../users/user.js'
import type { AccessTokenIssuer } from '../access-token-issuer.js'
import type { AccessTokenStore } from '../access-token-store.js'
import type { IdTokenIssuer } from '../id-token-issuer.js'
import { firstOfFamily, refreshIdleMs } from '../refresh-family.js'
import type { RefreshPolicy } from '../refresh-token.js'
import type { RefreshTokenStore } from '../refresh-token-store.js'
import type { TokenResponse } from '../token-response.js'
import { accessTokenTtl } from './grant-policy.js'

/** The scopes an ID token's claims depend on (OIDC Core §5.4); a family keeps these to issue ID tokens on refresh. */
const OPENID_SCOPES = ['openid', 'email', 'profile']

function openIdScopesOf(scope: string[]): string[] {
  return OPENID_SCOPES.filter((name) => scope.includes(name))
}

export interface IssuanceStores {
  accessTokens: AccessTokenStore
  refreshTokens: RefreshTokenStore
  keys: SigningKeyStore
}

export interface IssuanceDeps {
  issuer: string
  accessTokens: AccessTokenIssuer
  idTokens: IdTokenIssuer
  sessionPolicy: SessionPolicy
  refreshPolicy: RefreshPolicy
  maxAccessTokenTtl: number
  /** `signUp.requireVerifiedEmail`: no token for a user whose address is not verified. */
  requireVerifiedEmail?: boolean
}

/** What a grant decided to issue; the issuance step writes and signs it. */
export interface Issuance {
  application: Application
  api: Api
  /** The access token's scope, and the roles behind it (RFC 9068 `roles`, when the API asks). */
  scope: string[]
  roles: string[]
  /**
   * The live session and user the tokens are bound to, when the user signed in and with which RFC 8176
   * methods (the session's own when `amr` is absent); null for a machine token (RFC 6749 §4.4). A code
   * or refresh token passes the values of the authentication it came from, so a later step-up of the
   * session shows only in tokens issued after it (docs/mfa.md "Step-up").
   */
  bound: { session: Session; user: User; authTime: number; amr?: readonly string[] | null } | null
  /** The refresh family the access token is recorded with, so revoking the family reaches it. */
  familyId: string | null
  /** Open a new refresh family with this first token, or hand out a rotation's successor. */
  refresh: { open: IssuedOpaqueToken } | { successor: string } | null
  /**
   * OIDC Core §3.1.3.3: an ID token, for a code grant with the `openid` scope; §12.2: again on
   * each refresh of such a grant, without `nonce`.
   */
  idToken: { nonce: string | null; scope: string[] } | null
  /** RFC 9449: the thumbprint of the DPoP proof's key sent with the request, or null. */
  dpopJkt?: string | null
  /** The response's `scope` when it says more than the access token's (RFC 6749 §5.1). */
  responseScope?: string[]
  now: number
}

export type CodeTokenResponse = TokenResponse & { id_token?: string }

export type IssueTokens = (tx: IssuanceStores | null, issuance: Issuance) => Promise<CodeTokenResponse>

/**
 * The step every grant ends with: the refresh record of a new family, the access token (its
 * lifetime clamped to the session), the ID token, and the RFC 6749 §5.1 response. `tx` is null
 * only for a machine JWT, which writes nothing.
 */
export function createTokenIssuance(deps: IssuanceDeps): IssueTokens {
  return async (tx, issuance) => {
    const { application, api, bound, now } = issuance
    const amr = bound ? [...(bound.amr ?? bound.session.amr)] : null
    // Issue 12: every grant bound to a user ends here (code, refresh, token exchange), so this one
    // check refuses them all; the grant's transaction rolls back, so nothing is spent.
    if (bound && deps.requireVerifiedEmail && !bound.user.emailVerified) {
      throw new TesseraError('email_not_verified', { detail: "the user's email address is not verified (email_not_verified)" })
    }
    const dpopJkt = issuance.dpopJkt ?? null
    // RFC 9449: an API that takes DPoP-bound tokens only is never issued a Bearer token.
    if (api.requireDpop === true && dpopJkt === null) throw new TesseraError('dpop_required')
    const refresh = issuance.refresh
    if (refresh && 'open' in refresh) {
      // A refresh family is always bound to a session and written in the grant's transaction.
      if (!bound || !tx) throw new Error('a refresh family needs a session and a transaction')
      const binding = {
        sessionId: bound.session.id,
        userId: bound.user.id,
        clientId: application.id,
        api: api.identifier,
        scope: issuance.scope,
        authTime: bound.authTime,
        amr,
        idTokenScope: issuance.idToken ? openIdScopesOf(issuance.idToken.scope) : null,
        // RFC 9449 §5: a public client's refresh tokens are bound to its DPoP key; a confidential
        // client's are bound to its authentication already.
        dpopJkt: isConfidential(application.type) ? null : dpopJkt,
        sessionAbsoluteExpiresAt: bound.session.absoluteExpiresAt,
      }
      const idle = refreshIdleMs(application.refreshTokenTtl, deps.refreshPolicy)
      await tx.refreshTokens.insert(firstOfFamily(refresh.open, binding, now, idle, deps.refreshPolicy))
    }
    const sessionEndsAt = bound ? sessionExpiresAt(bound.session, deps.sessionPolicy) : null
    const ttl = accessTokenTtl(application, api, deps.maxAccessTokenTtl, sessionEndsAt, now)
    const access = await deps.accessTokens.issue(
      tx,
      {
        subject: bound?.user.id ?? application.id,
        userId: bound?.user.id ?? null,
        sessionId: bound?.session.id ?? null,
        clientId: application.id,
        api,
        scope: issuance.scope,
        authTime: bound?.authTime ?? null,
        amr,
        tokenVersion: bound?.user.tokenVersion ?? null,
        familyId: issuance.familyId,
        roles: issuance.roles,
        dpopJkt,
      },
      ttl,
    )
    const idToken =
      issuance.idToken && bound
        ? await deps.idTokens.issue(tx ?? undefined, {
            issuer: deps.issuer,
            user: bound.user,
            clientId: application.id,
            sessionId: bound.session.id,
            authTime: bound.authTime,
            amr: amr ?? bound.session.amr,
            nonce: issuance.idToken.nonce,
            scope: issuance.idToken.scope,
            accessToken: access.token,
          })
        : undefined
    const refreshToken = refresh ? ('open' in refresh ? refresh.open.token : refresh.successor) : undefined
    return {
      access_token: access.token,
      token_type: dpopJkt ? 'DPoP' : 'Bearer',
      expires_in: access.expiresIn,
      scope: (issuance.responseScope ?? issuance.scope).join(' '),
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      ...(idToken ? { id_token: idToken } : {}),
    }
  }
}
