import { type Actor, type EventOutbox, localeField } from '../events/event-outbox.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { isUniqueViolation } from '../store/unique-violation.js'
import { normalizeEmail } from './email.js'
import type { PasswordCredentialStore } from './password-credential-store.js'
import type { PasswordHasher } from './password-hasher.js'
import { checkNewPassword, type PasswordPolicy } from './password-policy.js'
import type { User } from './user.js'
import type { UserSort, UserStore } from './user-store.js'

/** The stores the user service works on: users, their password credentials and the outbox. */
export interface UserServiceStores {
  users: UserStore
  credentials: PasswordCredentialStore
  events: EventOutbox
}

/**
 * `Tx` is the caller's transaction stores: at least the user service's own, plus whatever
 * `sessions.revokeAllIn` needs (the composition root passes every store).
 */
export interface UserServiceDeps<Tx extends UserServiceStores = UserServiceStores> {
  /** Reads outside a transaction. */
  stores: Pick<UserServiceStores, 'users'>
  transact: Transact<Tx>
  clock: Clock
  random: RandomSource
  hasher: PasswordHasher
  passwordPolicy: PasswordPolicy
  sessions: UserSessions<Tx>
  /**
   * Runs in the transaction that creates an account, whatever the path (hosted or JSON sign-up,
   * admin API, CLI): the composition root gives the new account its default roles here
   * (rbac/role-service.ts `assignDefaultsIn`), so `users/` need not know about roles.
   */
  onCreated?: (tx: Tx, user: User, actor: Actor) => Promise<unknown>
}

/**
 * What the user service needs from sessions (sessions/session-service.ts implements it): revoking
 * every session of a user, and raising the token version, inside the caller's transaction.
 * Declared here so that `users/` does not depend on `sessions/` (sessions depend on users).
 */
export interface UserSessions<Tx> {
  revokeAllIn(
    tx: Tx,
    userId: string,
    options: { reason: 'password_reset' | 'user_deleted' | 'user_disabled'; actor: Actor },
  ): Promise<unknown>
}

export type UserService = ReturnType<typeof createUserService<UserServiceStores>>

export interface NewUser {
  email: string
  password: string
}

/** Largest page `list` returns (the admin API allows less). */
export const MAX_USER_PAGE = 500

export interface UserPage {
  users: User[]
  /** The id to pass as `after` for the next page, or null on the last page. */
  next: string | null
}

export interface UserChanges {
  email?: string
}

export function createUserService<Tx extends UserServiceStores>(deps: UserServiceDeps<Tx>) {
  const { stores, transact, clock, random } = deps

  return {
    /**
     * Validates and hashes a new account's credentials outside any transaction (hashing is slow),
     * returning what `insertIn` writes.
     */
    async prepare(input: NewUser): Promise<{ email: string; hash: string }> {
      const email = normalizeEmail(input.email)
      if (!email) throw new TesseraError('invalid_email')
      const password = await checkNewPassword(input.password, deps.passwordPolicy, { email })
      return { email, hash: await deps.hasher.hash(password) }
    },

    /** Writes a prepared user and its credential in the caller's transaction. */
    async insertIn(
      tx: Tx,
      prepared: { email: string; hash: string },
      actor: Actor,
      ip: string | null,
      options: { sendVerification?: boolean } = {},
    ): Promise<User> {
      const now = clock.now()
      if (await tx.users.findByEmail(prepared.email)) throw new TesseraError('email_taken')
      const user: User = {
        id: `usr_${randomToken(random, 16)}`,
        email: prepared.email,
        status: 'active',
        tokenVersion: 1,
        emailVerified: false,
        createdAt: now,
        updatedAt: now,
      }
      try {
        await tx.users.insert(user)
      } catch (error) {
        // Two sign-ups racing for one email: the unique index decides.
        if (isUniqueViolation(error)) throw new TesseraError('email_taken')
        throw error
      }
      await tx.credentials.set(user.id, prepared.hash, now)
      await tx.events.append({
        type: 'user.created',
        actor,
        userId: user.id,
        // sendVerification: false (an operator's account) composes no verification message.
        payload: {
          email: user.email,
          ...localeField(actor),
          ...(options.sendVerification === undefined ? {} : { sendVerification: options.sendVerification }),
        },
        ip,
        createdAt: now,
      })
      await deps.onCreated?.(tx, user, actor)
      return user
    },

    /**
     * Creates an account without signing it in (CLI, admin). No verification message goes out
     * unless asked (`sendVerification`): the operator may not want the person written to yet.
     */
    async create(input: NewUser, actor: Actor, options: { sendVerification?: boolean } = {}): Promise<User> {
      const prepared = await this.prepare(input)
      return transact((tx) => this.insertIn(tx, prepared, actor, null, { sendVerification: options.sendVerification === true }))
    },

    async get(idOrEmail: string): Promise<User> {
      const email = idOrEmail.includes('@') ? normalizeEmail(idOrEmail) : null
      const user = email ? await stores.users.findByEmail(email) : await stores.users.findById(idOrEmail)
      if (!user) throw new TesseraError('user_not_found')
      return user
    },

    /** One page of users ordered by id (keyset pagination), and where the next page starts. */
    async list(query: { search?: string; after?: string; sort?: UserSort; limit: number }): Promise<UserPage> {
      if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_USER_PAGE) {
        throw new TesseraError('invalid_request', { detail: `limit must be 1 to ${MAX_USER_PAGE}` })
      }
      // One row more than asked says whether another page exists, without a count.
      const rows = await stores.users.list({ ...query, limit: query.limit + 1 })
      const users = rows.slice(0, query.limit)
      const last = users[users.length - 1]
      const key = last && (query.sort === 'email' || query.sort === '-email') ? last.email : last?.id
      return { users, next: rows.length > query.limit ? (key ?? null) : null }
    },

    /** Changes the email address; the new one must be free. */
    async update(userId: string, changes: UserChanges, actor: Actor): Promise<User> {
      const email = changes.email === undefined ? undefined : normalizeEmail(changes.email)
      if (email === null) throw new TesseraError('invalid_email')
      return transact(async (tx) => {
        const now = clock.now()
        const user = await tx.users.findById(userId)
        if (!user) throw new TesseraError('user_not_found')
        if (email === undefined || email === user.email) return user
        if (await tx.users.findByEmail(email)) throw new TesseraError('email_taken')
        try {
          await tx.users.setEmail(userId, email, now)
        } catch (error) {
          if (isUniqueViolation(error)) throw new TesseraError('email_taken')
          throw error
        }
        await tx.events.append({ type: 'user.updated', actor, userId, payload: { fields: ['email'] }, ip: null, createdAt: now })
        return { ...user, email, updatedAt: now }
      })
    },

    /**
     * Sets a new password chosen by an operator (NIST SP 800-63B rules apply as at sign-up). Every
     * session is revoked and the token version raised: whoever held the old password is out.
     */
    async resetPassword(userId: string, password: string, actor: Actor): Promise<User> {
      const user = await this.get(userId)
      const checked = await checkNewPassword(password, deps.passwordPolicy, { email: user.email })
      const hash = await deps.hasher.hash(checked)
      return transact(async (tx) => {
        const now = clock.now()
        const current = await tx.users.findById(userId)
        if (!current) throw new TesseraError('user_not_found')
        await tx.credentials.set(userId, hash, now)
        await deps.sessions.revokeAllIn(tx, userId, { reason: 'password_reset', actor })
        await tx.events.append({ type: 'user.password_reset', actor, userId, payload: {}, ip: null, createdAt: now })
        return (await tx.users.findById(userId)) as User
      })
    },

    /**
     * Deletes an account. Its sessions are revoked and its token version raised in the revocation
     * log first, so every token it held dies everywhere (hybrid resource servers included); then
     * the user, its credential and its sessions (with their refresh tokens) are removed.
     */
    async delete(userId: string, actor: Actor): Promise<void> {
      await transact(async (tx) => {
        const now = clock.now()
        const user = await tx.users.findById(userId)
        if (!user) throw new TesseraError('user_not_found')
        await deps.sessions.revokeAllIn(tx, userId, { reason: 'user_deleted', actor })
        await tx.events.append({ type: 'user.deleted', actor, userId, payload: {}, ip: null, createdAt: now })
        if (!(await tx.users.delete(userId))) throw new TesseraError('user_not_found')
      })
    },

    /**
     * Disables an account: it can no longer sign in, every session is revoked and the token
     * version is raised, all in one transaction with the revocation log.
     */
    async disable(userId: string, actor: Actor): Promise<User> {
      return transact(async (tx) => {
        const now = clock.now()
        const user = await tx.users.findById(userId)
        if (!user) throw new TesseraError('user_not_found')
        if (user.status === 'disabled') return user
        // A concurrent disable may have committed since we read the user: then it did the revoking.
        if (!(await tx.users.setStatus(userId, 'disabled', now))) return (await tx.users.findById(userId)) as User
        await deps.sessions.revokeAllIn(tx, userId, { reason: 'user_disabled', actor })
        await tx.events.append({ type: 'user.disabled', actor, userId, payload: {}, ip: null, createdAt: now })
        return (await tx.users.findById(userId)) as User
      })
    },

    async enable(userId: string, actor: Actor): Promise<User> {
      return transact(async (tx) => {
        const now = clock.now()
        const user = await tx.users.findById(userId)
        if (!user) throw new TesseraError('user_not_found')
        if (user.status === 'active') return user
        if (!(await tx.users.setStatus(userId, 'active', now))) return (await tx.users.findById(userId)) as User
        await tx.events.append({ type: 'user.enabled', actor, userId, payload: {}, ip: null, createdAt: now })
        return { ...user, status: 'active', updatedAt: now }
      })
    },
  }
}
