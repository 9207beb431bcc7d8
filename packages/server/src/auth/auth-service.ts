import type { Actor, EventOutbox } from '../events/event-outbox.js'
import type { Device, SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { sha256 } from '../shared/digest.js'
import { TesseraError } from '../shared/errors.js'
import { type Metrics, noMetrics } from '../shared/metrics.js'
import type { Transact } from '../store/transaction.js'
import { normalizeEmail } from '../users/email.js'
import type { PasswordCredentialStore } from '../users/password-credential-store.js'
import type { PasswordHasher } from '../users/password-hasher.js'
import { checkPasswordSize, normalizePassword, type PasswordPolicy } from '../users/password-policy.js'
import type { User } from '../users/user.js'
import type { UserService } from '../users/user-service.js'
import type { UserStore } from '../users/user-store.js'
import { afterFailure, type ThrottlePolicy, throttleWait } from './sign-in-throttle.js'
import type { SignInThrottleStore } from './sign-in-throttle-store.js'

/** The stores the credential checks read outside a transaction. */
export interface AuthStores {
  credentials: PasswordCredentialStore
  throttle: SignInThrottleStore
  users: UserStore
}

/** What a transaction of the auth service writes to, plus what the user and session services need in it. */
export type AuthTx = AuthStores & { events: EventOutbox } & Parameters<SessionService['start']>[0] & Parameters<UserService['insertIn']>[0]

export interface AuthServiceDeps {
  stores: AuthStores
  transact: Transact<AuthTx>
  clock: Clock
  hasher: PasswordHasher
  passwordPolicy: PasswordPolicy
  throttlePolicy: ThrottlePolicy
  users: UserService
  sessions: SessionService
  /** `signUp.requireVerifiedEmail`: no sign-in for an account whose address is not verified. */
  requireVerifiedEmail?: boolean
  /** Counts sign-in outcomes for the operator (none when absent). */
  metrics?: Pick<Metrics, 'signIn'>
}

export interface Credentials {
  email: string
  password: string
}

export type AuthService = ReturnType<typeof createAuthService>

/**
 * The credential checks of sign-up and sign-in, with their throttling and anti-enumeration rules.
 * The self-service flows (flows/) call them as steps and start the session once the flow has
 * authenticated the user; `signUp` and `signIn` compose the two for callers without a flow.
 */
export function createAuthService(deps: AuthServiceDeps) {
  const { stores, transact, clock, hasher, sessions } = deps
  const metrics = deps.metrics ?? noMetrics

  const service = {
    /**
     * Creates the account and its first session in one transaction (the registration step): a
     * crash can leave neither half of a sign-up, never an account without the session its
     * creator was told about (test/e2e/crash-consistency.test.ts).
     */
    async register(input: Credentials, device: Device) {
      const prepared = await deps.users.prepare(input)
      return transact(async (tx) => {
        const actor: Actor = { kind: 'anonymous', ...(device.locale ? { locale: device.locale } : {}) }
        const user = await deps.users.insertIn(tx, prepared, actor, device.ip)
        const started = await sessions.start(tx, { user, device, amr: ['pwd'], actor: { kind: 'user', id: user.id } })
        return { user, ...started }
      })
    },

    /**
     * Creates the account without a session: the registration step when a second factor must be
     * enrolled before any session starts (docs/mfa.md "Policy").
     */
    async createAccount(input: Credentials, device: Device) {
      const prepared = await deps.users.prepare(input)
      return transact((tx) => deps.users.insertIn(tx, prepared, { kind: 'anonymous' }, device.ip))
    },

    /**
     * Checks an email and password (the password step) and returns the user; the session comes
     * later. OWASP Authentication Cheat Sheet: an unknown email and a wrong password get the same
     * error and cost the same hashing time; failures are throttled per account (known or not), and
     * a success resets the count.
     */
    async verifyPassword(input: Credentials, device: Device, options: { allowUnverified?: boolean } = {}): Promise<User> {
      checkPasswordSize(input.password, deps.passwordPolicy)
      const email = normalizeEmail(input.email)
      if (!email) throw new TesseraError('invalid_email')
      const key = throttleKey(email)
      await refuseWhileThrottled(key, null, device)

      const password = normalizePassword(input.password)
      const credential = await stores.credentials.findByEmail(email)
      let valid = false
      if (credential) valid = await hasher.verify(credential.hash, password)
      else await hasher.burn(password)

      if (!credential || !valid) {
        await recordFailure(key, credential?.userId ?? null, device)
        throw new TesseraError('invalid_credentials')
      }
      if (credential.status !== 'active') {
        metrics.signIn('disabled')
        throw new TesseraError('user_disabled')
      }

      const rehash = hasher.needsRehash(credential.hash) ? await hasher.hash(password) : null
      const user = await transact(async (tx) => {
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
        return user
      })
      // Told only after the right password, so it reveals nothing about the address to a guesser.
      // A flow that can verify the address itself (its verify_email step) takes the user instead.
      if (!options.allowUnverified) refuseUnverified(user)
      return user
    },

    /**
     * Runs one second-factor check (issue 13) under the account's sign-in throttle: a wrong code
     * counts as a failed sign-in of that account, a locked account is refused before the check,
     * and a right one resets the count (NIST SP 800-63B §5.2.2: rate limiting).
     */
    async guardSecondFactor(userId: string, device: Device, attempt: () => Promise<boolean>): Promise<void> {
      const user = await stores.users.findById(userId)
      if (user?.status !== 'active') throw new TesseraError('user_disabled')
      const key = throttleKey(user.email)
      await refuseWhileThrottled(key, userId, device)
      if (!(await attempt())) {
        await recordFailure(key, userId, device)
        throw new TesseraError('invalid_mfa_code')
      }
      await transact((tx) => tx.throttle.clear(key))
    },

    /**
     * Starts the session of a user a flow has authenticated, with the methods its steps proved.
     * A sign-in (not a fresh registration) is recorded as `sign_in.succeeded`.
     */
    async startSession(
      userId: string,
      amr: string[],
      device: Device,
      kind: 'sign_in' | 'registration',
      /** The connection an upstream sign-in came through (issue 15 §5), recorded in the event. */
      via: { connectionId?: string } = {},
    ) {
      const started = await transact(async (tx) => {
        const current = await tx.users.findById(userId)
        if (current?.status !== 'active') throw new TesseraError('user_disabled')
        if (kind === 'sign_in') refuseUnverified(current)
        const actor: Actor = { kind: 'user', id: userId }
        if (kind === 'sign_in') {
          await tx.events.append({
            type: 'sign_in.succeeded',
            actor,
            userId,
            payload: { amr, ...(via.connectionId ? { connectionId: via.connectionId } : {}) },
            ip: device.ip,
            createdAt: clock.now(),
          })
        }
        const started = await sessions.start(tx, { user: current, device, amr, actor })
        return { user: current, ...started }
      })
      // A sign-in succeeds when its session starts, after every step (a second factor included).
      if (kind === 'sign_in') metrics.signIn('succeeded')
      return started
    },

    /**
     * A step-up of the browser's session (issue 13 §6): the user proved more, so the same session
     * records it; audited as `session.stepped_up`, and counted as a successful sign-in.
     */
    async stepUpSession(sessionId: string, userId: string, amr: string[], device: Device) {
      const stepped = await transact(async (tx) => {
        const current = await tx.users.findById(userId)
        if (current?.status !== 'active') throw new TesseraError('user_disabled')
        const session = await sessions.stepUpIn(tx, { sessionId, userId, amr, device })
        return { user: current, session }
      })
      metrics.signIn('succeeded')
      return stepped
    },

    /** Creates the account and signs it in (for callers without a flow). */
    async signUp(input: Credentials, device: Device) {
      return service.register(input, device)
    },

    /** Checks the password and signs in (for callers without a flow). */
    async signIn(input: Credentials, device: Device) {
      const user = await service.verifyPassword(input, device)
      return service.startSession(user.id, ['pwd'], device, 'sign_in')
    },
  }
  /** Issue 12, `signUp.requireVerifiedEmail`: an unverified account signs in nowhere (docs/email.md). */
  function refuseUnverified(user: User): void {
    if (deps.requireVerifiedEmail && !user.emailVerified) throw new TesseraError('email_not_verified')
  }

  async function refuseWhileThrottled(key: string, userId: string | null, device: Device): Promise<void> {
    const wait = throttleWait(await stores.throttle.get(key), clock.now())
    if (wait > 0) {
      metrics.signIn('throttled')
      await transact((tx) => tx.events.append(failureEvent('sign_in.throttled', userId, device, clock.now())))
      throw new TesseraError('too_many_attempts', { retryAfter: Math.ceil(wait / 1000) })
    }
  }

  async function recordFailure(key: string, userId: string | null, device: Device): Promise<void> {
    const lockedOut = await transact(async (tx) => {
      const now = clock.now()
      // Counted atomically: a read-then-write would let concurrent failures overwrite each other.
      const failures = await tx.throttle.countFailure(key, now)
      const state = afterFailure({ failures: failures - 1, lockedUntil: null }, deps.throttlePolicy, now)
      await tx.throttle.put(key, state, now)
      await tx.events.append(failureEvent('sign_in.failed', userId, device, now))
      // A security event of its own: this failure locked the account (known or not) for a while.
      if (state.lockedUntil !== null) {
        await tx.events.append({
          ...failureEvent('sign_in.locked_out', userId, device, now),
          payload: { failures: state.failures, lockedUntil: state.lockedUntil },
        })
      }
      return state.lockedUntil !== null
    })
    metrics.signIn(lockedOut ? 'locked_out' : 'failed')
  }

  return service
}

/** One throttle per account, keyed by its normalised email, so unknown emails are throttled like known ones. */
function throttleKey(email: string): string {
  return sha256(`sign-in:${email}`)
}

function failureEvent(
  type: 'sign_in.failed' | 'sign_in.throttled' | 'sign_in.locked_out',
  userId: string | null,
  device: Device,
  now: number,
) {
  return { type, actor: { kind: 'anonymous' } as Actor, userId, payload: { userAgent: device.userAgent }, ip: device.ip, createdAt: now }
}
