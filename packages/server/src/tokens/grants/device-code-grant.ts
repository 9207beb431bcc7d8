import { type Application, GRANT_TYPES } from '../../applications/application.js'
import { sha256 } from '../../shared/digest.js'
import { TesseraError } from '../../shared/errors.js'
import { noMetrics } from '../../shared/metrics.js'
import type { Transact } from '../../store/transaction.js'
import type { DeviceAuthorization, DeviceAuthorizationStore } from '../device-authorization-store.js'
import { type RefreshFamilyStores, revokeFamily } from '../refresh-family.js'
import { type ApprovedGrantStores, issueForApprovedGrant, RedeemedMeanwhile } from './approved-grant.js'
import type { GrantServices } from './grant-deps.js'
import { requireGrant } from './grant-policy.js'
import type { CodeTokenResponse } from './token-issuance.js'

export type DeviceCodeStores = ApprovedGrantStores & RefreshFamilyStores & { deviceAuthorizations: DeviceAuthorizationStore }

export type DeviceCodeGrantDeps = Pick<
  GrantServices,
  'clock' | 'random' | 'sessions' | 'apis' | 'roles' | 'userinfoApi' | 'issue' | 'metrics'
> & {
  transact: Transact<DeviceCodeStores>
}

export interface DeviceCodeRedemption {
  deviceCode: string | undefined
  resource: string[]
  /** RFC 9449: the thumbprint of the request's checked DPoP proof key, or null. */
  dpopJkt?: string | null
}

/** The shape of the device codes Tessera issues: 256 random bits, base64url. */
const DEVICE_CODE_PATTERN = /^[A-Za-z0-9_-]{43}$/

/** The poll's answer when it is not tokens: each is an RFC 8628 §3.5 error, or a refusal. */
type Refusal = 'invalid' | 'replayed' | 'pending' | 'slow_down' | 'denied' | 'expired'

/**
 * `grant_type=urn:ietf:params:oauth:grant-type:device_code` (RFC 8628 §3.4, §3.5). The device
 * polls with its device code: `authorization_pending` until the user decides, `slow_down` (and
 * five more seconds of interval) when it polls faster than its interval, `access_denied` once
 * denied, `expired_token` after the code's lifetime. Once approved, the code is redeemed once,
 * atomically, by the client it was issued to, for tokens bound to the session that approved it;
 * a replay fails and revokes what the first redemption issued, as for authorization codes
 * (RFC 6749 §4.1.2, RFC 9700 §4.5.3).
 */
export function createDeviceCodeGrant(deps: DeviceCodeGrantDeps) {
  return async function poll(application: Application, request: DeviceCodeRedemption): Promise<CodeTokenResponse> {
    requireGrant(application, GRANT_TYPES.device_code)
    const deviceCodeHash = sha256(wellFormedDeviceCode(request))
    const outcome = await deps.transact(async (tx): Promise<Refusal | CodeTokenResponse> => {
      const now = deps.clock.now()
      const authorization = await tx.deviceAuthorizations.findByDeviceCode(deviceCodeHash)
      // RFC 8628 §3.4: bound to the client it was issued to; another client's attempt changes nothing.
      if (!authorization || authorization.clientId !== application.id) return 'invalid'
      // As for codes (RFC 6749 §4.1.2): a device code redeemed twice revokes what its first use issued.
      if (authorization.usedAt !== null) return revokeOnReplay(tx, authorization, now)
      if (now >= authorization.expiresAt) return 'expired'
      if (authorization.status === 'denied') return 'denied'
      if (authorization.status === 'pending') return (await tx.deviceAuthorizations.poll(authorization.id, now)) ? 'pending' : 'slow_down'
      // RFC 8707 §2.2: a resource at the token endpoint must be the one authorized.
      if (request.resource.length === 1 && request.resource[0] !== authorization.resource)
        throw new TesseraError('invalid_target', { detail: 'the resource must be the one the device code was issued for' })
      try {
        return await issueForApprovedGrant(deps, tx, {
          application,
          grant: approvedGrant(authorization),
          redeem: (familyId) => tx.deviceAuthorizations.redeem(authorization.id, now, familyId),
          dpopJkt: request.dpopJkt ?? null,
          now,
        })
      } catch (error) {
        if (!(error instanceof RedeemedMeanwhile)) throw error
        // Another poll redeemed the code while this one was checking it: read it again to see
        // what that redemption issued, and revoke it as a late replay would.
        const redeemed = await tx.deviceAuthorizations.findByDeviceCode(deviceCodeHash)
        return redeemed ? revokeOnReplay(tx, redeemed, now) : 'invalid'
      }
    })
    if (typeof outcome !== 'string') return outcome
    if (outcome === 'replayed') {
      ;(deps.metrics ?? noMetrics).reuseDetected('device_code')
      throw new TesseraError('invalid_grant', { detail: 'the device code was already used; the tokens issued with it are revoked' })
    }
    throw new TesseraError(REFUSALS[outcome])
  }
}

async function revokeOnReplay(tx: DeviceCodeStores, authorization: DeviceAuthorization, now: number): Promise<'replayed'> {
  const { familyId, clientId, userId, sessionId } = authorization
  if (familyId !== null && userId !== null && sessionId !== null)
    await revokeFamily(tx, { familyId, clientId, userId, sessionId }, 'device_code_reused', now)
  return 'replayed'
}

const REFUSALS = {
  invalid: 'invalid_grant',
  pending: 'authorization_pending',
  slow_down: 'slow_down',
  denied: 'device_access_denied',
  expired: 'expired_token',
} as const

function approvedGrant(authorization: DeviceAuthorization) {
  const { sessionId, userId, authTime, amr } = authorization
  if (sessionId === null || userId === null || authTime === null) throw new TesseraError('invalid_grant')
  // RFC 8628 has no nonce: an ID token issued here carries none. The methods are the approving
  // session's at approval (0029), as a code keeps them from its issuance (0026).
  return { sessionId, userId, authTime, amr, scope: authorization.scope, resource: authorization.resource, nonce: null }
}

/** RFC 8628 §3.4: the device code, in the shape Tessera issues; one resource at most (RFC 8707). */
function wellFormedDeviceCode(request: DeviceCodeRedemption): string {
  if (request.deviceCode === undefined) throw new TesseraError('invalid_request', { detail: 'device_code is required' })
  if (request.resource.length > 1) throw new TesseraError('invalid_target', { detail: 'one resource per token' })
  if (!DEVICE_CODE_PATTERN.test(request.deviceCode)) throw new TesseraError('invalid_grant')
  return request.deviceCode
}
