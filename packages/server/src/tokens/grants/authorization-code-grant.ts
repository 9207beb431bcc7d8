import { type Application, GRANT_TYPES } from '../../applications/application.js'
import { sha256 } from '../../shared/digest.js'
import { TesseraError } from '../../shared/errors.js'
import { noMetrics } from '../../shared/metrics.js'
import type { Transact } from '../../store/transaction.js'
import type { AuthorizationCodeStore } from '../authorization-code-store.js'
import { isCodeVerifier, verifierMatches } from '../pkce.js'
import { type RefreshFamilyStores, revokeFamily } from '../refresh-family.js'
import { type ApprovedGrantStores, issueForApprovedGrant, RedeemedMeanwhile } from './approved-grant.js'
import type { GrantServices } from './grant-deps.js'
import { requireGrant } from './grant-policy.js'
import type { CodeTokenResponse } from './token-issuance.js'

export type AuthorizationCodeStores = ApprovedGrantStores & RefreshFamilyStores & { authorizationCodes: AuthorizationCodeStore }

export type AuthorizationCodeGrantDeps = Pick<
  GrantServices,
  'clock' | 'random' | 'sessions' | 'apis' | 'roles' | 'userinfoApi' | 'issue' | 'metrics'
> & {
  transact: Transact<AuthorizationCodeStores>
}

export interface CodeRedemption {
  code: string | undefined
  redirectUri: string | undefined
  codeVerifier: string | undefined
  resource: string[]
  /** RFC 9449: the thumbprint of the request's checked DPoP proof key, or null. */
  dpopJkt?: string | null
}

/** The shape of the codes Tessera issues: 256 random bits, base64url. */
const CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/

/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5, OIDC Core §3.1.3). The code is
 * redeemed once, atomically; a replay fails and revokes what the first redemption issued
 * (RFC 6749 §4.1.2, RFC 9700 §4.5.3).
 */
export function createAuthorizationCodeGrant(deps: AuthorizationCodeGrantDeps) {
  return async function redeem(application: Application, request: CodeRedemption): Promise<CodeTokenResponse> {
    requireGrant(application, GRANT_TYPES.authorization_code)
    const codeHash = sha256(wellFormedCode(request))
    const outcome = await deps.transact(async (tx) => {
      const now = deps.clock.now()
      const code = await tx.authorizationCodes.findByHash(codeHash)
      if (!code) return 'invalid' as const
      if (code.usedAt !== null) return revokeOnReplay(tx, code.id, now)
      // RFC 6749 §4.1.3: bound to the client and the redirect URI it was issued for.
      if (code.clientId !== application.id || now >= code.expiresAt || code.redirectUri !== request.redirectUri) return 'invalid' as const
      // RFC 7636 §4.6; a missing verifier is the PKCE downgrade RFC 9700 §4.8.2 warns of.
      if (!verifierMatches(request.codeVerifier, code.codeChallenge)) return 'invalid' as const
      // RFC 8707 §2.2: a resource at the token endpoint must be the one authorized.
      if (request.resource.length === 1 && request.resource[0] !== code.resource)
        throw new TesseraError('invalid_target', { detail: 'the resource must be the one the code was issued for' })
      // RFC 9449 §10: a code bound to a DPoP key needs a proof of that key. Thrown, so the
      // transaction rolls back and a thief without the key spends nothing.
      if (code.dpopJkt && code.dpopJkt !== (request.dpopJkt ?? null))
        throw new TesseraError('invalid_dpop_proof', { detail: 'the code is bound to another DPoP key, or needs a DPoP proof' })
      try {
        return await issueForApprovedGrant(deps, tx, {
          application,
          grant: code,
          redeem: (familyId) => tx.authorizationCodes.redeem(code.id, now, familyId),
          dpopJkt: request.dpopJkt ?? null,
          now,
        })
      } catch (error) {
        if (!(error instanceof RedeemedMeanwhile)) throw error
        // Issue 16 part 9: another request redeemed this code while this one was checking it (on
        // PostgreSQL the conditional update waited for that transaction's commit). This request
        // is a replay too, so it revokes what the other issued, as a late replay would; nothing
        // was written before the update, so this transaction holds only the revocation.
        return revokeOnReplay(tx, code.id, now)
      }
    })
    if (outcome === 'replayed') {
      ;(deps.metrics ?? noMetrics).reuseDetected('authorization_code')
      throw new TesseraError('invalid_grant', { detail: 'the code was already used; the tokens issued with it are revoked' })
    }
    if (outcome === 'invalid') throw new TesseraError('invalid_grant')
    return outcome
  }
}

/**
 * RFC 6749 §4.1.2, RFC 9700 §4.5: a code used twice revokes the tokens its first use issued. The
 * code is read again, so a redemption that committed after this transaction began is seen.
 */
async function revokeOnReplay(tx: AuthorizationCodeStores, codeId: string, now: number): Promise<'replayed'> {
  const code = await tx.authorizationCodes.findById(codeId)
  if (code?.familyId) await revokeFamily(tx, { ...code, familyId: code.familyId }, 'authorization_code_reused', now)
  return 'replayed'
}

/** RFC 6749 §4.1.3 and RFC 7636 §4.5: the parameters a redemption needs, in the shapes Tessera issues. */
function wellFormedCode(request: CodeRedemption): string {
  if (request.code === undefined) throw new TesseraError('invalid_request', { detail: 'code is required' })
  if (request.redirectUri === undefined) throw new TesseraError('invalid_request', { detail: 'redirect_uri is required' })
  // RFC 7636 §4.1: a verifier of the wrong length or charset is a malformed request.
  if (request.codeVerifier !== undefined && !isCodeVerifier(request.codeVerifier))
    throw new TesseraError('invalid_grant', { detail: 'code_verifier must be 43 to 128 unreserved characters' })
  if (request.resource.length > 1) throw new TesseraError('invalid_target', { detail: 'one resource per token' })
  if (!CODE_PATTERN.test(request.code)) throw new TesseraError('invalid_grant')
  return request.code
}
