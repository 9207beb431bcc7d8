import type { ComposedEmail, EmailComposer } from '../email/email-composer.js'
import type { UserStore } from '../users/user-store.js'

/** The stores the account messages read inside the fan-out transaction. */
export interface AccountComposerStores {
  users: UserStore
}

/**
 * "Your password was changed", for a password set by an operator (`user.password_reset`): the
 * owner learns of it at once, with where to turn (OWASP Forgot Password Cheat Sheet: notify on
 * every password change).
 */
export function passwordChangedNotice<S extends AccountComposerStores>(): EmailComposer<S> {
  return async (event, tx): Promise<ComposedEmail[]> => {
    if (event.type !== 'user.password_reset' || event.userId === null) return []
    const user = await tx.users.findById(event.userId)
    if (!user) return []
    return [{ template: 'password_changed', to: user.email, userId: user.id, variables: { email: user.email } }]
  }
}
