import type { Device } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { isTesseraError } from '../shared/errors.js'
import type { Transact } from '../store/transaction.js'
import type { UserService, UserServiceStores } from '../users/user-service.js'
import type { AccountRequestLimits, AccountStores } from './account-stores.js'
import { counterKey } from './account-token.js'

export interface SignUpServiceDeps {
  stores: Pick<AccountStores, 'requestCounters'>
  transact: Transact<UserServiceStores>
  clock: Clock
  users: Pick<UserService, 'prepare' | 'insertIn'>
  limits: AccountRequestLimits
  requireEmail: () => void
}

export type SignUpService = ReturnType<typeof createSignUpService>

/**
 * Sign-up when `signUp.requireVerifiedEmail` is on (issue 12 part 5; OWASP Authentication Cheat
 * Sheet, "Account creation": the same answer whether or not the address has an account). No
 * session starts either way, so nothing in the answer can differ: a new address gets an account
 * and the verification message (the `user.created` event); an address that has an account gets
 * a "someone tried to sign up with your address" notice instead (`user.sign_up_attempted`), and
 * its account is untouched. Both paths validate and hash the password, look the address up once
 * and write one event, so they take about the same time (docs/email.md has the measurement).
 */
export function createSignUpService(deps: SignUpServiceDeps) {
  const { transact, clock } = deps

  /** The notice to an existing owner, or an audited no-op when its limit is spent or the account is disabled. */
  const attempted = (tx: UserServiceStores, userId: string | null, device: Device) =>
    tx.events.append({
      type: 'user.sign_up_attempted',
      actor: { kind: 'anonymous' },
      userId,
      payload: device.locale ? { locale: device.locale } : {},
      ip: device.ip,
      createdAt: clock.now(),
    })

  return {
    /**
     * Resolves with the new account's id, or null when the address had one: for the flow's server
     * side only (flows/steps/registration-step.ts); no answer to a client may depend on it.
     */
    async signUp(input: { email: string; password: string }, device: Device): Promise<{ userId: string | null }> {
      deps.requireEmail()
      // Bad input is refused the same way for every address: it says nothing about accounts.
      const prepared = await deps.users.prepare(input)
      const { windowMs, perAddress } = deps.limits
      // Counted for every address before the lookup, so the limit tells nothing either. Past it,
      // an existing owner gets no more notices (no inbox flooding); the answer does not change.
      const notices = await deps.stores.requestCounters.hit(counterKey('sign-up', prepared.email), windowMs, clock.now())
      try {
        return await transact(async (tx) => {
          const existing = await tx.users.findByEmail(prepared.email)
          if (existing) {
            await attempted(tx, existing.status === 'active' && notices <= perAddress ? existing.id : null, device)
            return { userId: null }
          }
          const actor = { kind: 'anonymous' as const, ...(device.locale ? { locale: device.locale } : {}) }
          return { userId: (await deps.users.insertIn(tx, prepared, actor, device.ip)).id }
        })
      } catch (error) {
        // Two sign-ups raced for the address and the other won: the same answer as ever.
        if (!isTesseraError(error) || error.code !== 'email_taken') throw error
        await transact(async (tx) => {
          const winner = await tx.users.findByEmail(prepared.email)
          await attempted(tx, winner?.status === 'active' && notices <= perAddress ? winner.id : null, device)
        })
        return { userId: null }
      }
    },
  }
}
