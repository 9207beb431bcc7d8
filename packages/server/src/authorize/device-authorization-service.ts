import type { Api } from '../apis/api.js'
import { type Application, GRANT_TYPES } from '../applications/application.js'
import type { Actor, EventOutbox } from '../events/event-outbox.js'
import type { Clock } from '../shared/clock.js'
import { sha256 } from '../shared/digest.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { isUniqueViolation } from '../store/unique-violation.js'
import type { DeviceApproval, DeviceAuthorization, DeviceAuthorizationStore } from '../tokens/device-authorization-store.js'
import { requireGrant } from '../tokens/grants/grant-policy.js'
import { checkResourceAndScope } from './checks/check-resource-and-scope.js'
import { formatUserCode, generateUserCode, normalizeUserCode, userCodeDigest } from './device-user-code.js'

/** RFC 8628 §3.2: the device authorization response. */
export interface DeviceAuthorizationResponse {
  device_code: string
  user_code: string
  verification_uri: string
  verification_uri_complete: string
  expires_in: number
  interval: number
}

/** What the verification page shows about a pending request before the user decides (RFC 8628 §5.4). */
export interface PendingDeviceAuthorization {
  authorization: DeviceAuthorization
  application: Application
  /** The API the device asks for, or null for the OpenID scopes alone. */
  api: Api | null
}

export interface DeviceAuthorizationPolicy {
  /** Lifetime of a device code and its user code, in seconds (RFC 8628 §3.2 `expires_in`). */
  lifetimeSeconds: number
  /** The minimum seconds between polls (RFC 8628 §3.2 `interval`). */
  intervalSeconds: number
}

export interface DeviceAuthorizationServiceDeps {
  /** The root store, for the request's insert and the page's reads. */
  store: DeviceAuthorizationStore
  transact: Transact<{ deviceAuthorizations: DeviceAuthorizationStore; events: EventOutbox }>
  clock: Clock
  random: RandomSource
  /** The key of the user codes' digests (authorize/device-user-code.ts). */
  userCodeKey: Buffer
  issuer: string
  policy: DeviceAuthorizationPolicy
  findApplication(clientId: string): Promise<Application | null>
  findApi(identifier: string): Promise<Api | null>
}

export type DeviceAuthorizationService = ReturnType<typeof createDeviceAuthorizationService>

/** The page a person opens on another device (RFC 8628 §3.3). */
export const VERIFICATION_PATH = '/ui/device'

/** A fresh user code that collides with a stored one is drawn again, this many times at most. */
const USER_CODE_DRAWS = 5

/**
 * The device authorization grant's two sides before the token endpoint (RFC 8628): the device's
 * request, which gets a device code and a user code, and the user's decision on the verification
 * page. Codes are random (256 bits for the device code, RFC 8628 §6.1 for the user code) and only
 * their digests are stored.
 */
export function createDeviceAuthorizationService(deps: DeviceAuthorizationServiceDeps) {
  const verificationUri = `${deps.issuer.replace(/\/$/, '')}${VERIFICATION_PATH}`

  /** A live, undecided authorization for this user code, or null (unknown, expired, decided, or malformed). */
  async function pending(typed: string): Promise<PendingDeviceAuthorization | null> {
    const code = normalizeUserCode(typed)
    if (code === null) return null
    const authorization = await deps.store.findByUserCode(userCodeDigest(deps.userCodeKey, code))
    if (authorization?.status !== 'pending' || deps.clock.now() >= authorization.expiresAt) return null
    const application = await deps.findApplication(authorization.clientId)
    // The client lost the grant or was deleted since: nothing left to approve.
    if (!application?.grants.includes(GRANT_TYPES.device_code)) return null
    const api = authorization.resource === null ? null : await deps.findApi(authorization.resource)
    if (authorization.resource !== null && (!api || !application.apis.includes(authorization.resource))) return null
    return { authorization, application, api }
  }

  return {
    /**
     * RFC 8628 §3.1–3.2: the client (authenticated as at the token endpoint) asks for a device
     * code. Scope and `resource` follow the authorization request's rules (RFC 8707 §2).
     */
    async request(application: Application, form: { get(name: string): string | undefined; all(name: string): string[] }) {
      requireGrant(application, GRANT_TYPES.device_code)
      const values = {
        get: form.get,
        all: form.all,
        has: (name: string) => form.get(name) !== undefined,
        repeated: new Set<string>(),
        tooLong: false,
      }
      const target = await checkResourceAndScope(values, application, deps.findApi)
      const now = deps.clock.now()
      const deviceCode = randomToken(deps.random, 32)
      for (let draw = 1; ; draw++) {
        const userCode = generateUserCode(deps.random)
        try {
          await deps.store.insert({
            id: randomToken(deps.random, 16),
            deviceCodeHash: sha256(deviceCode),
            userCodeHash: userCodeDigest(deps.userCodeKey, userCode),
            clientId: application.id,
            scope: target.scope,
            resource: target.api?.identifier ?? null,
            interval: deps.policy.intervalSeconds,
            lastPolledAt: null,
            status: 'pending',
            sessionId: null,
            userId: null,
            authTime: null,
            amr: null,
            decidedAt: null,
            usedAt: null,
            familyId: null,
            createdAt: now,
            expiresAt: now + deps.policy.lifetimeSeconds * 1000,
          })
        } catch (error) {
          if (isUniqueViolation(error) && draw < USER_CODE_DRAWS) continue
          throw error
        }
        const shown = formatUserCode(userCode)
        return {
          device_code: deviceCode,
          user_code: shown,
          verification_uri: verificationUri,
          verification_uri_complete: `${verificationUri}?user_code=${shown}`,
          expires_in: deps.policy.lifetimeSeconds,
          interval: deps.policy.intervalSeconds,
        } satisfies DeviceAuthorizationResponse
      }
    },

    pending,

    /**
     * RFC 8628 §3.3: the signed-in user approves or denies. Approving binds the device's tokens to
     * this session (docs/architecture.md §2) and records how its user had authenticated, the
     * methods the tokens will say (0029). False when the request is no longer pending.
     */
    async decide(authorization: DeviceAuthorization, decision: 'approve' | 'deny', by: DeviceApproval, actor: Actor): Promise<boolean> {
      return deps.transact(async (tx) => {
        const now = deps.clock.now()
        const approved = decision === 'approve' ? by : null
        if (!(await tx.deviceAuthorizations.decide(authorization.id, { approved }, now))) return false
        await tx.events.append({
          type: approved ? 'device_authorization.approved' : 'device_authorization.denied',
          actor,
          userId: by.userId,
          // Never a code: the client, the session and what was asked.
          payload: {
            clientId: authorization.clientId,
            ...(approved ? { sessionId: by.sessionId } : {}),
            scope: authorization.scope.join(' '),
            resource: authorization.resource,
          },
          ip: null,
          createdAt: now,
        })
        return true
      })
    },
  }
}
