import type { Stores, Transact } from '../app/stores.js'
import type { Actor } from '../events/event-outbox.js'
import type { Device, SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { sha256 } from '../shared/digest.js'
import { TesseraError } from '../shared/errors.js'
import { type Metrics, noMetrics } from '../shared/metrics.js'
import { normalizeEmail } from '../users/email.js'
import type { PasswordHasher } from '../users/password-hasher.js'
import { checkPasswordSize, normalizePassword, type PasswordPolicy } from '../users/password-policy.js'
import type { User } from '../users/user.js'
import type { UserService } from '../users/user-service.js'
import { afterFailure, type ThrottlePolicy, throttleWait } from './sign-in-throttle.js'

export interface AuthServiceDeps {
  stores: Pick<Stores, 'credentials' | 'throttle' | 'users'>
  transact: Transact
  clock: Clock
  hasher: PasswordHasher
  passwordPolicy: PasswordPolicy
  throttlePolicy: ThrottlePolicy
  users: UserService
  sessions: SessionService
  /** Counts sign-in outcomes for the operator (none when absent). */
  metrics?: Pick<Metrics, 'signIn'>
}

export interface Credentials {
  email: string
  password: string
}

export type AuthService = ReturnType<typeof createAuthService>

/** Sign-up and sign-in: the credential endpoints, with their throttling and anti-enumeration rules. */
export function createAuthService(deps: AuthServiceDeps) {
  const { stores, transact, clock, hasher, sessions } = deps
  const metrics = deps.metrics ?? noMetrics

  return {
    /** Creates the account and signs it in, in one transaction. */
    async signUp(input: Credentials, device: Device) {
      const prepared = await deps.users.prepare(input)
      return transact(async (tx) => {
        const user = await deps.users.insertIn(tx, prepared, { kind: 'anonymous' }, device.ip)
        const started = await sessions.start(tx, { user, device, amr: ['pwd'], actor: { kind: 'user', id: user.id } })
        return { user, ...started }
      })
    },

    /**
     * OWASP Authentication Cheat Sheet: an unknown email and a wrong password get the same
     * error and cost the same hashing time; failures are throttled per account (known or not),
     * and a success resets the count.
     */
    async signIn(input: Credentials, device: Device) {
      checkPasswordSize(input.password, deps.passwordPolicy)
      const email = normalizeEmail(input.email)
      if (!email) throw new TesseraError('invalid_email')
      const key = sha256(`sign-in:${email}`)
      const wait = throttleWait(await stores.throttle.get(key), clock.now())
      if (wait > 0) {
        metrics.signIn('throttled')
        await transact((tx) => tx.events.append(failureEvent('sign_in.throttled', null, device, clock.now())))
        throw new TesseraError('too_many_attempts', { retryAfter: Math.ceil(wait / 1000) })
      }

      const password = normalizePassword(input.password)
      const credential = await stores.credentials.findByEmail(email)
      let valid = false
      if (credential) valid = await hasher.verify(credential.hash, password)
      else await hasher.burn(password)

      if (!credential || !valid) {
        const lockedOut = await transact(async (tx) => {
          const now = clock.now()
          // Counted atomically: a read-then-write would let concurrent failures overwrite each other.
          const failures = await tx.throttle.countFailure(key, now)
          const state = afterFailure({ failures: failures - 1, lockedUntil: null }, deps.throttlePolicy, now)
          await tx.throttle.put(key, state, now)
          await tx.events.append(failureEvent('sign_in.failed', credential?.userId ?? null, device, now))
          // A security event of its own: this failure locked the account (known or not) for a while.
          if (state.lockedUntil !== null) {
            await tx.events.append({
              ...failureEvent('sign_in.locked_out', credential?.userId ?? null, device, now),
              payload: { failures: state.failures, lockedUntil: state.lockedUntil },
            })
          }
          return state.lockedUntil !== null
        })
        metrics.signIn(lockedOut ? 'locked_out' : 'failed')
        throw new TesseraError('invalid_credentials')
      }
      if (credential.status !== 'active') {
        metrics.signIn('disabled')
        throw new TesseraError('user_disabled')
      }

      const rehash = hasher.needsRehash(credential.hash) ? await hasher.hash(password) : null
      const signedIn = await transact(async (tx) => {
        const now = clock.now()
        const user = (await tx.users.findById(credential.userId)) as User
        if (user.status !== 'active') throw new TesseraError('user_disabled')
        await tx.throttle.clear(key)
        if (rehash) {
          await tx.credentials.set(user.id, rehash, now)
          await tx.events.append({
            type: 'user.password_rehashed',
            actor: { kind: 'system' },
            userId: user.id,
            payload: {},
            ip: null,
            createdAt: now,
          })
        }
        const actor: Actor = { kind: 'user', id: user.id }
        await tx.events.append({
          type: 'sign_in.succeeded',
          actor,
          userId: user.id,
          payload: { amr: ['pwd'] },
          ip: device.ip,
          createdAt: now,
        })
        const started = await sessions.start(tx, { user, device, amr: ['pwd'], actor })
        return { user, ...started }
      })
      metrics.signIn('succeeded')
      return signedIn
    },
  }
}

function failureEvent(
  type: 'sign_in.failed' | 'sign_in.throttled' | 'sign_in.locked_out',
  userId: string | null,
  device: Device,
  now: number,
) {
  return { type, actor: { kind: 'anonymous' } as Actor, userId, payload: { userAgent: device.userAgent }, ip: device.ip, createdAt: now }
}
