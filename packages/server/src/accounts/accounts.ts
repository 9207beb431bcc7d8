import type { SessionService } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import type { Transact } from '../store/transaction.js'
import type { PasswordHasher } from '../users/password-hasher.js'
import type { PasswordPolicy } from '../users/password-policy.js'
import type { UserService } from '../users/user-service.js'
import { createAccountChangeService } from './account-change-service.js'
import type { AccountRequestLimits, AccountStores, AccountTx } from './account-stores.js'
import type { AccountTokenPolicy } from './account-token.js'
import { createEmailVerificationService } from './email-verification-service.js'
import { createPasswordResetService } from './password-reset-service.js'
import { createSignUpService } from './sign-up-service.js'

export interface AccountsDeps {
  stores: AccountStores
  transact: Transact<AccountTx>
  clock: Clock
  hasher: PasswordHasher
  passwordPolicy: PasswordPolicy
  sessions: Pick<SessionService, 'revokeAllIn'>
  codeKey: Buffer
  policy: AccountTokenPolicy
  limits: AccountRequestLimits
  requireEmail: () => void
  /** Sign-up without enumeration (signUp.requireVerifiedEmail) creates accounts through it. */
  users: Pick<UserService, 'prepare' | 'insertIn'>
}

export type Accounts = ReturnType<typeof createAccounts>

/** Email verification, password reset, changes of password and address, and sign-up without enumeration, over one set of stores. */
export function createAccounts(deps: AccountsDeps) {
  return {
    verification: createEmailVerificationService(deps),
    passwordReset: createPasswordResetService(deps),
    changes: createAccountChangeService(deps),
    signUp: createSignUpService(deps),
  }
}
