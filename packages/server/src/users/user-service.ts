import type { Actor } from '../events/event-outbox.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Stores, Transact } from '../store/stores.js'
import { normalizeEmail } from './email.js'
import type { PasswordHasher } from './password-hasher.js'
import { checkNewPassword, type PasswordPolicy } from './password-policy.js'
import type { User } from './user.js'

export interface UserServiceDeps {
  stores: Pick<Stores, 'users'>
  transact: Transact
  clock: Clock
  random: RandomSource
  hasher: PasswordHasher
  passwordPolicy: PasswordPolicy
  sessions: SessionService
}

export type UserService = ReturnType<typeof createUserService>

export interface NewUser {
  email: string
  password: string
}

export function createUserService(deps: UserServiceDeps) {
  const { stores, transact, clock, random } = deps

  return {
    /**
     * Validates and hashes a new account's credentials outside any transaction (hashing is slow),
     * returning what `insertIn` writes.
     */
    async prepare(input: NewUser): Promise<{ email: string; hash: string }> {
      const email = normalizeEmail(input.email)
      if (!email) throw new TesseraError('invalid_email')
      const password = checkNewPassword(input.password, deps.passwordPolicy, { email })
      return { email, hash: await deps.hasher.hash(password) }
    },

    /** Writes a prepared user and its credential in the caller's transaction. */
    async insertIn(tx: Stores, prepared: { email: string; hash: string }, actor: Actor, ip: string | null): Promise<User> {
      const now = clock.now()
      if (await tx.users.findByEmail(prepared.email)) throw new TesseraError('email_taken')
      const user: User = {
        id: `usr_${randomToken(random, 16)}`,
        email: prepared.email,
        status: 'active',
        tokenVersion: 1,
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
      await tx.events.append({ type: 'user.created', actor, userId: user.id, payload: { email: user.email }, ip, createdAt: now })
      return user
    },

    /** Creates an account without signing it in (CLI, admin). */
    async create(input: NewUser, actor: Actor): Promise<User> {
      const prepared = await this.prepare(input)
      return transact((tx) => this.insertIn(tx, prepared, actor, null))
    },

    async get(idOrEmail: string): Promise<User> {
      const email = idOrEmail.includes('@') ? normalizeEmail(idOrEmail) : null
      const user = email ? await stores.users.findByEmail(email) : await stores.users.findById(idOrEmail)
      if (!user) throw new TesseraError('user_not_found')
      return user
    },

    list(query: { search?: string; after?: string; limit: number }): Promise<User[]> {
      return stores.users.list(query)
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

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string }
  // PostgreSQL unique_violation, SQLite constraint error.
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}
