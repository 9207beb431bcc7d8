import { type Actor, localeField } from '../events/event-outbox.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import type { Transact } from '../store/transaction.js'
import { normalizeEmail } from '../users/email.js'
import type { PasswordHasher } from '../users/password-hasher.js'
import { checkNewPassword, type PasswordPolicy } from '../users/password-policy.js'
import { type CodeRefusal, checkCode, refusalWithoutUser } from './account-code-check.js'
import type { AccountRequestLimits, AccountStores, AccountTx } from './account-stores.js'
import { type AccountToken, type AccountTokenPolicy, counterKey } from './account-token.js'
import { checkLinkToken, spendLinkToken } from './account-token-check.js'

export interface PasswordResetDeps {
  stores: AccountStores
  transact: Transact<AccountTx>
  clock: Clock
  hasher: PasswordHasher
  passwordPolicy: PasswordPolicy
  sessions: Pick<SessionService, 'revokeAllIn'>
  limits: AccountRequestLimits
  requireEmail: () => void
  /** The key the message's codes are hashed under, and their lifetime and tries (accounts/account-token.ts). */
  codeKey: Buffer
  policy: AccountTokenPolicy
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>

/**
 * Forgotten passwords, after the OWASP Forgot Password Cheat Sheet: the request answers the same
 * whether or not the address has an account (the message, if any, is composed later by the email
 * fan-out, so no timing depends on it); the link is single use, 30 minutes, and dies when the
 * password changes by any path; the reset revokes every session and raises the token version.
 */
export function createPasswordResetService(deps: PasswordResetDeps) {
  const { stores, transact, clock } = deps

  const service = {
    /**
     * Asks for a reset link. Resolves the same way for an unknown address, a disabled account
     * and a real one; only the counters tell (per address and per IP, counted before the lookup,
     * so the limit itself reveals nothing). An operator (`operator: true`) skips the limits.
     */
    async request(input: {
      email: string
      ip: string | null
      actor: Actor
      operator?: boolean
    }): Promise<{ userId: string | null; credentialStamp: number | null }> {
      deps.requireEmail()
      const email = normalizeEmail(input.email)
      if (email === null) throw new TesseraError('invalid_email')
      const now = clock.now()
      if (!input.operator) {
        const { windowMs, perAddress, perIp } = deps.limits
        const retryAfter = Math.ceil(windowMs / 1000)
        if (input.ip !== null && (await stores.requestCounters.hit(counterKey('reset-ip', input.ip), windowMs, now)) > perIp) {
          throw new TesseraError('rate_limited', { retryAfter })
        }
        if ((await stores.requestCounters.hit(counterKey('reset', email), windowMs, now)) > perAddress) {
          throw new TesseraError('rate_limited', { retryAfter })
        }
      }
      // The user (and the password the message is for) go back to a recovery flow's server side
      // only (flows/steps/recovery-email-step.ts); no answer to a client may depend on them.
      return transact(async (tx) => {
        const user = await tx.users.findByEmail(email)
        const userId = user?.status === 'active' ? user.id : null
        // The same reads and write either way, so the answer takes about the same time
        // (docs/email.md); an event without a user composes no message and publishes no webhook,
        // but is audited.
        const credentialStamp = await tx.accountTokens.credentialStamp(userId ?? '')
        await tx.events.append({
          type: 'user.password_reset_requested',
          actor: input.actor,
          userId,
          payload: localeField(input.actor),
          ip: input.ip,
          createdAt: now,
        })
        return { userId, credentialStamp }
      })
    },

    /**
     * The 6-digit code of a reset message, as a recovery flow's `recovery_code` step presents it
     * (10 minutes, 5 wrong tries, single use: the rules of verification codes). Spends it, and
     * returns the fingerprint of the password it was sent for, which the new password must still
     * replace. With no user (an address without an account), the tries are counted under the flow
     * and end the same way; nothing ever matches.
     */
    async confirmCode(userId: string | null, flowId: string, code: string): Promise<{ credentialStamp: number | null }> {
      const now = clock.now()
      if (userId === null) {
        const tries = await stores.requestCounters.hit(counterKey('reset-flow', flowId), deps.policy.codeTtlMs, now)
        throw new TesseraError(refusalWithoutUser(tries, deps.policy))
      }
      const outcome = await transact(async (tx): Promise<{ credentialStamp: number | null } | CodeRefusal> => {
        const user = await tx.users.findById(userId)
        if (user?.status !== 'active') return 'verification_code_invalid'
        const match = await checkCode(
          tx.accountTokens,
          { userId, purpose: 'reset_password', code, email: user.email, now },
          deps.codeKey,
          deps.policy,
        )
        if (typeof match === 'string') return match
        // A password set since the message was sent (by any path) kills its code too.
        if ((await tx.accountTokens.credentialStamp(userId)) !== match.credentialStamp) return 'verification_code_invalid'
        await spendLinkToken(tx.accountTokens, match, now)
        return { credentialStamp: match.credentialStamp }
      })
      if (typeof outcome === 'string') throw new TesseraError(outcome)
      return outcome
    },

    /** Whether the user's password is no longer the one `stamp` fingerprints (set since, by any path). */
    async passwordChangedSince(userId: string, stamp: number | null): Promise<boolean> {
      return (await stores.accountTokens.credentialStamp(userId)) !== stamp
    },

    /**
     * The last step of a recovery flow, after its code: the new password under the policy, with
     * everything a reset by link does (every reset link and code dead, every session revoked, the
     * token version raised, the owner told). Refused with `account_token_used` if the password
     * changed since the code was checked (a link used meanwhile on another device).
     */
    async setPassword(input: { userId: string; credentialStamp: number | null; password: string; actor: Actor }): Promise<void> {
      const user = await stores.users.findById(input.userId)
      if (user?.status !== 'active') throw new TesseraError('account_token_invalid')
      if ((await stores.accountTokens.credentialStamp(user.id)) !== input.credentialStamp) throw new TesseraError('account_token_used')
      const hash = await deps.hasher.hash(await checkNewPassword(input.password, deps.passwordPolicy, { email: user.email }))
      await transact((tx) => reset(tx, user.id, input.credentialStamp, hash, input.actor, null))
    },

    /**
     * Sets a new password with a reset link. The password meets the policy (NIST SP 800-63B
     * §3.1.1.2) before the link is spent; then, in one transaction, the link is spent, every other
     * reset link dies, the password is set, every session is revoked and the token version raised.
     */
    async complete(input: { token: string; password: string; actor: Actor }): Promise<void> {
      const now = clock.now()
      const token = await checkLinkToken(stores.accountTokens, input.token, 'reset_password', now)
      const user = await stores.users.findById(token.userId)
      if (user?.status !== 'active' || user.email !== token.email) throw new TesseraError('account_token_invalid')
      // A password set after the link was sent (by any path) kills the link.
      if ((await stores.accountTokens.credentialStamp(user.id)) !== token.credentialStamp) throw new TesseraError('account_token_used')
      const hash = await deps.hasher.hash(await checkNewPassword(input.password, deps.passwordPolicy, { email: user.email }))
      await transact((tx) => reset(tx, user.id, token.credentialStamp, hash, input.actor, token))
    },
  }
  return service

  /**
   * In one transaction: the password is still the one the reset was for, the link (if any) is
   * spent, every other reset link and code dies, the password is set, every session is revoked and
   * the token version raised, and the owner is told.
   */
  async function reset(tx: AccountTx, userId: string, stamp: number | null, hash: string, actor: Actor, token: AccountToken | null) {
    const at = clock.now()
    if ((await tx.accountTokens.credentialStamp(userId)) !== stamp) throw new TesseraError('account_token_used')
    if (token) await spendLinkToken(tx.accountTokens, token, at)
    await tx.accountTokens.retireAll(userId, 'reset_password', at)
    await tx.credentials.set(userId, hash, at)
    await deps.sessions.revokeAllIn(tx, userId, { reason: 'password_reset', actor })
    await tx.events.append({
      type: 'user.password_changed',
      actor,
      userId,
      payload: { method: 'reset', ...localeField(actor) },
      ip: null,
      createdAt: at,
    })
  }
}
