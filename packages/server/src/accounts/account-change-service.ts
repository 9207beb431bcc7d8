import { type Actor, localeField } from '../events/event-outbox.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import type { Transact } from '../store/transaction.js'
import { normalizeEmail } from '../users/email.js'
import type { PasswordHasher } from '../users/password-hasher.js'
import { checkNewPassword, checkPasswordSize, normalizePassword, type PasswordPolicy } from '../users/password-policy.js'
import type { User } from '../users/user.js'
import type { AccountRequestLimits, AccountStores, AccountTx } from './account-stores.js'
import { counterKey } from './account-token.js'
import { checkLinkToken, spendLinkToken } from './account-token-check.js'

/** Issue 12: changing the password without the current one needs a sign-in this recent. */
export const RECENT_SIGN_IN_MS = 5 * 60_000

export interface AccountChangeDeps {
  stores: AccountStores
  transact: Transact<AccountTx>
  clock: Clock
  hasher: PasswordHasher
  passwordPolicy: PasswordPolicy
  sessions: Pick<SessionService, 'revokeAllIn'>
  limits: AccountRequestLimits
  requireEmail: () => void
}

/** Who is asking: the signed-in user, their session and when they signed in. */
export interface SignedIn {
  userId: string
  sessionId: string
  authTime: number
}

export type AccountChangeService = ReturnType<typeof createAccountChangeService>

/** A signed-in user changes their own password or email address. */
export function createAccountChangeService(deps: AccountChangeDeps) {
  const { stores, transact, clock } = deps

  async function currentUser(userId: string): Promise<User> {
    const user = await stores.users.findById(userId)
    if (user?.status !== 'active') throw new TesseraError('unauthenticated')
    return user
  }

  return {
    /**
     * Sets a new password. Proof of presence: the current password, or a sign-in within the last
     * 5 minutes (OWASP Authentication Cheat Sheet: re-authenticate before sensitive changes).
     * Every other session is revoked, the token version rises (every token issued before dies,
     * this session's too; the session itself stays and mints new ones), pending reset links die;
     * the owner is told by email.
     */
    async changePassword(who: SignedIn, input: { currentPassword?: string; newPassword: string }, actor: Actor): Promise<void> {
      const user = await currentUser(who.userId)
      if (input.currentPassword !== undefined) {
        checkPasswordSize(input.currentPassword, deps.passwordPolicy)
        const credential = await stores.credentials.findByEmail(user.email)
        if (!credential || !(await deps.hasher.verify(credential.hash, normalizePassword(input.currentPassword)))) {
          throw new TesseraError('invalid_credentials')
        }
      } else if (clock.now() - who.authTime > RECENT_SIGN_IN_MS) {
        throw new TesseraError('reauthentication_required')
      }
      const hash = await deps.hasher.hash(await checkNewPassword(input.newPassword, deps.passwordPolicy, { email: user.email }))
      await transact(async (tx) => {
        const now = clock.now()
        await tx.credentials.set(user.id, hash, now)
        await tx.accountTokens.retireAll(user.id, 'reset_password', now)
        // docs/architecture.md §2: a password change raises the token version, so every token
        // issued under the old password dies everywhere, this session's included.
        await deps.sessions.revokeAllIn(tx, user.id, { keepId: who.sessionId, reason: 'password_changed', actor, raiseTokenVersion: true })
        await tx.events.append({
          type: 'user.password_changed',
          actor,
          userId: user.id,
          payload: { method: 'change', ...localeField(actor) },
          ip: actor.ip ?? null,
          createdAt: now,
        })
      })
    },

    /**
     * Asks to move the account to a new address: a link goes to the new address and a notice to
     * the current one; nothing changes until the link is used. The answer is the same whether or
     * not the new address already has an account (that one gets no link).
     */
    async requestEmailChange(who: SignedIn, input: { email: string }, actor: Actor): Promise<void> {
      deps.requireEmail()
      const user = await currentUser(who.userId)
      const email = normalizeEmail(input.email)
      if (email === null) throw new TesseraError('invalid_email')
      if (email === user.email) return
      const now = clock.now()
      if ((await stores.requestCounters.hit(counterKey('change-email', user.id), deps.limits.windowMs, now)) > deps.limits.perAddress) {
        throw new TesseraError('rate_limited', { retryAfter: Math.ceil(deps.limits.windowMs / 1000) })
      }
      await transact((tx) =>
        tx.events.append({
          type: 'user.email_change_requested',
          actor,
          userId: user.id,
          payload: { newEmail: email, ...localeField(actor) },
          ip: actor.ip ?? null,
          createdAt: now,
        }),
      )
    },

    /** Switches to the new address with the link sent to it; the address is then verified. */
    async confirmEmailChange(presented: string, actor: Actor): Promise<User> {
      const now = clock.now()
      const token = await checkLinkToken(stores.accountTokens, presented, 'change_email', now)
      return transact(async (tx) => {
        const user = await tx.users.findById(token.userId)
        if (user?.status !== 'active') throw new TesseraError('account_token_invalid')
        if (await tx.users.findByEmail(token.email)) throw new TesseraError('email_taken')
        await spendLinkToken(tx.accountTokens, token, now)
        try {
          await tx.users.setEmail(user.id, token.email, now)
        } catch {
          // The unique index decides a race for the address.
          throw new TesseraError('email_taken')
        }
        await tx.users.markEmailVerified(user.id, token.email, now)
        await tx.accountTokens.retireAll(user.id, 'verify_email', now)
        await tx.accountTokens.retireAll(user.id, 'reset_password', now)
        await tx.events.append({
          type: 'user.email_changed',
          actor,
          userId: user.id,
          payload: { previousEmail: user.email, ...localeField(actor) },
          ip: null,
          createdAt: now,
        })
        return (await tx.users.findById(user.id)) as User
      })
    },
  }
}
