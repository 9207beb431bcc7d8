import { type Actor, localeField } from '../events/event-outbox.js'
import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import type { Transact } from '../store/transaction.js'
import { normalizeEmail } from '../users/email.js'
import type { PasswordHasher } from '../users/password-hasher.js'
import { checkNewPassword, type PasswordPolicy } from '../users/password-policy.js'
import type { AccountRequestLimits, AccountStores, AccountTx } from './account-stores.js'
import { counterKey } from './account-token.js'
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

  return {
    /**
     * Asks for a reset link. Resolves the same way for an unknown address, a disabled account
     * and a real one; only the counters tell (per address and per IP, counted before the lookup,
     * so the limit itself reveals nothing). An operator (`operator: true`) skips the limits.
     */
    async request(input: { email: string; ip: string | null; actor: Actor; operator?: boolean }): Promise<void> {
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
      await transact(async (tx) => {
        const user = await tx.users.findByEmail(email)
        // The same write either way, so the answer takes about the same time (docs/email.md); an
        // event without a user composes no message and publishes no webhook, but is audited.
        await tx.events.append({
          type: 'user.password_reset_requested',
          actor: input.actor,
          userId: user?.status === 'active' ? user.id : null,
          payload: localeField(input.actor),
          ip: input.ip,
          createdAt: now,
        })
      })
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
      const hash = await deps.hasher.hash(checkNewPassword(input.password, deps.passwordPolicy, { email: user.email }))
      await transact(async (tx) => {
        const at = clock.now()
        if ((await tx.accountTokens.credentialStamp(user.id)) !== token.credentialStamp) throw new TesseraError('account_token_used')
        await spendLinkToken(tx.accountTokens, token, at)
        await tx.accountTokens.retireAll(user.id, 'reset_password', at)
        await tx.credentials.set(user.id, hash, at)
        await deps.sessions.revokeAllIn(tx, user.id, { reason: 'password_reset', actor: input.actor })
        await tx.events.append({
          type: 'user.password_changed',
          actor: input.actor,
          userId: user.id,
          payload: { method: 'reset', ...localeField(input.actor) },
          ip: null,
          createdAt: at,
        })
      })
    },
  }
}
