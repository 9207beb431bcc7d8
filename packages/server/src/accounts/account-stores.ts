import type { EventOutbox } from '../events/event-outbox.js'
import type { SessionService } from '../sessions/session-service.js'
import type { PasswordCredentialStore } from '../users/password-credential-store.js'
import type { UserStore } from '../users/user-store.js'
import type { AccountTokenStore } from './account-token-store.js'
import type { RequestCounterStore } from './request-counter-store.js'

/** The stores the account services use. */
export interface AccountStores {
  users: UserStore
  credentials: PasswordCredentialStore
  accountTokens: AccountTokenStore
  requestCounters: RequestCounterStore
  events: EventOutbox
}

/** In a transaction they also revoke sessions, which takes what the session service needs. */
export type AccountTx = AccountStores & Parameters<SessionService['revokeAllIn']>[0]

/** Per-window request limits (NIST SP 800-63B §5.2.2; OWASP Forgot Password Cheat Sheet). */
export interface AccountRequestLimits {
  windowMs: number
  /** Reset or verification messages per address (or account) per window. */
  perAddress: number
  /** Reset requests per client IP per window. */
  perIp: number
}
