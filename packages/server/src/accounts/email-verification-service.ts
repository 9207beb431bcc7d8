import { type Actor, localeField } from '../events/event-outbox.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import type { Transact } from '../store/transaction.js'
import { normalizeEmail } from '../users/email.js'
import type { User } from '../users/user.js'
import { type CodeRefusal, checkCode, refusalWithoutUser } from './account-code-check.js'
import type { AccountRequestLimits, AccountStores } from './account-stores.js'
import { type AccountTokenPolicy, counterKey } from './account-token.js'
import { checkLinkToken, spendLinkToken } from './account-token-check.js'

export interface EmailVerificationDeps {
  stores: AccountStores
  transact: Transact<AccountStores>
  clock: Clock
  codeKey: Buffer
  policy: AccountTokenPolicy
  limits: AccountRequestLimits
  /** Throws `email_unavailable` when no message can be sent (production without SMTP). */
  requireEmail: () => void
}

export type EmailVerificationService = ReturnType<typeof createEmailVerificationService>

/**
 * Email verification: a message with a link and a code goes out at sign-up and on request (the
 * email fan-out mints both, see account-email-composers.ts); using either sets `email_verified`.
 */
export function createEmailVerificationService(deps: EmailVerificationDeps) {
  const { stores, transact, clock, policy } = deps

  /** Records a verified address and spends every other verification token of the user. */
  async function verify(tx: AccountStores, user: User, email: string, method: 'link' | 'code' | 'operator', actor: Actor, now: number) {
    if (!(await tx.users.markEmailVerified(user.id, email, now))) throw new TesseraError('account_token_invalid')
    await tx.accountTokens.retireAll(user.id, 'verify_email', now)
    await tx.events.append({ type: 'user.email_verified', actor, userId: user.id, payload: { method }, ip: null, createdAt: now })
    return (await tx.users.findById(user.id)) as User
  }

  const service = {
    /**
     * Asks for a new verification message; a new one supersedes the previous link and code.
     * Limited per account, so it cannot be used to flood an inbox. `operator` skips the limit.
     */
    async request(userId: string, actor: Actor, options: { operator?: boolean } = {}): Promise<void> {
      deps.requireEmail()
      const user = await stores.users.findById(userId)
      if (!user) throw new TesseraError('user_not_found')
      if (user.emailVerified) return
      const now = clock.now()
      if (!options.operator) {
        const count = await stores.requestCounters.hit(counterKey('verify', user.id), deps.limits.windowMs, now)
        if (count > deps.limits.perAddress) throw new TesseraError('rate_limited', { retryAfter: Math.ceil(deps.limits.windowMs / 1000) })
      }
      await transact((tx) =>
        tx.events.append({
          type: 'user.email_verification_requested',
          actor,
          userId,
          payload: localeField(actor),
          ip: actor.ip ?? null,
          createdAt: now,
        }),
      )
    },

    /**
     * Asks for a new verification message by address, with no session: the way back for a user
     * refused with `email_not_verified` (signUp.requireVerifiedEmail), who holds no credential but
     * the address itself, which is exactly what the message proves. Like a reset request (OWASP
     * Forgot Password Cheat Sheet) it resolves the same for every address; only an active,
     * unverified account gets a message, and limits are counted per address and per IP before the
     * lookup, so a 429 says nothing about the address either.
     */
    async requestByEmail(input: { email: string; ip: string | null; actor: Actor }): Promise<void> {
      deps.requireEmail()
      const email = normalizeEmail(input.email)
      if (email === null) throw new TesseraError('invalid_email')
      const now = clock.now()
      const { windowMs, perAddress, perIp } = deps.limits
      const retryAfter = Math.ceil(windowMs / 1000)
      if (input.ip !== null && (await stores.requestCounters.hit(counterKey('verify-ip', input.ip), windowMs, now)) > perIp) {
        throw new TesseraError('rate_limited', { retryAfter })
      }
      if ((await stores.requestCounters.hit(counterKey('verify-address', email), windowMs, now)) > perAddress) {
        throw new TesseraError('rate_limited', { retryAfter })
      }
      await transact(async (tx) => {
        const user = await tx.users.findByEmail(email)
        const wanted = user?.status === 'active' && !user.emailVerified
        // The same write either way; an event without a user composes nothing and is only audited.
        await tx.events.append({
          type: 'user.email_verification_requested',
          actor: input.actor,
          userId: wanted ? user.id : null,
          payload: localeField(input.actor),
          ip: input.ip,
          createdAt: now,
        })
      })
    },

    /** Verifies with the link's token; no session needed (the link may be opened on another device). */
    async confirmToken(presented: string, actor: Actor): Promise<User> {
      const now = clock.now()
      const token = await checkLinkToken(stores.accountTokens, presented, 'verify_email', now)
      return transact(async (tx) => {
        const user = await tx.users.findById(token.userId)
        // An address changed since the link was sent is not the one it proves.
        if (!user || user.email !== token.email) throw new TesseraError('account_token_invalid')
        await spendLinkToken(tx.accountTokens, token, now)
        return verify(tx, user, token.email, 'link', actor, now)
      })
    },

    /**
     * Verifies with the 6-digit code, for the signed-in user only. Each wrong code counts against
     * every live code of the user; at the limit they die (NIST SP 800-63B §5.1.1.2 rate limiting).
     */
    async confirmCode(userId: string, code: string, actor: Actor): Promise<User> {
      const now = clock.now()
      // A wrong code must be counted even though the request fails: the transaction returns the
      // refusal and commits the count, and the error is thrown after it.
      const outcome = await transact(async (tx): Promise<User | CodeRefusal> => {
        const user = await tx.users.findById(userId)
        if (!user) throw new TesseraError('user_not_found')
        const match = await checkCode(
          tx.accountTokens,
          { userId, purpose: 'verify_email', code, email: user.email, now },
          deps.codeKey,
          policy,
        )
        if (typeof match === 'string') return match
        await spendLinkToken(tx.accountTokens, match, now)
        return verify(tx, user, match.email, 'code', actor, now)
      })
      if (typeof outcome === 'string') throw new TesseraError(outcome)
      return outcome
    },

    /**
     * The code as the `verify_email` step of a flow presents it (flows/steps/verify-email-step.ts).
     * A flow whose registration hit a taken address has no user: its wrong tries are counted under
     * the flow for the code's lifetime and end as a user's do (invalid, then exhausted at the
     * limit), so the two flows cannot be told apart; no code ever verifies it.
     */
    async confirmFlowCode(userId: string | null, flowId: string, code: string, actor: Actor): Promise<void> {
      if (userId !== null) {
        await service.confirmCode(userId, code, actor)
        return
      }
      const tries = await stores.requestCounters.hit(counterKey('verify-flow', flowId), policy.codeTtlMs, clock.now())
      throw new TesseraError(refusalWithoutUser(tries, policy))
    },

    /** Whether the user's address is verified now. */
    async isVerified(userId: string): Promise<boolean> {
      return (await stores.users.findById(userId))?.emailVerified === true
    },

    /** An operator vouches for the address (admin API, CLI). */
    async markVerified(userId: string, actor: Actor): Promise<User> {
      return transact(async (tx) => {
        const user = await tx.users.findById(userId)
        if (!user) throw new TesseraError('user_not_found')
        if (user.emailVerified) return user
        return verify(tx, user, user.email, 'operator', actor, clock.now())
      })
    },
  }
  return service
}
