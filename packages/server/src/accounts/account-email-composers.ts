import type { ComposedEmail, EmailComposer } from '../email/email-composer.js'
import type { StoredEvent } from '../events/event-outbox.js'
import { isLocale, type Locale } from '../i18n/catalogues.js'
import type { Clock } from '../shared/clock.js'
import type { RandomSource } from '../shared/random.js'
import type { User } from '../users/user.js'
import type { UserStore } from '../users/user-store.js'
import { type AccountTokenPolicy, type AccountTokenPurpose, codeHash, linkTtl, mintCode, mintLinkToken } from './account-token.js'
import type { AccountTokenStore } from './account-token-store.js'

/** The stores the account messages use inside the fan-out transaction. */
export interface AccountComposerStores {
  users: UserStore
  accountTokens: AccountTokenStore
}

export interface AccountComposerDeps {
  /** The configured issuer: links are built from it, never from a request's Host (OWASP Forgot Password Cheat Sheet). */
  issuer: string
  random: RandomSource
  clock: Clock
  /** The key codes are hashed under. */
  codeKey: Buffer
  policy: AccountTokenPolicy
  /** The language of a message whose event names none (`defaultLocale`). */
  defaultLocale: Locale
}

/** The hosted page each link opens. */
const PAGES: Record<AccountTokenPurpose, string> = {
  verify_email: '/ui/verify-email',
  reset_password: '/ui/reset-password',
  change_email: '/ui/confirm-email',
}

const hours = (ms: number) => String(Math.round(ms / 3600_000))
const minutes = (ms: number) => String(Math.round(ms / 60_000))

/**
 * The messages of the account flows, minted at fan-out: a token is created in the same
 * transaction as the delivery that carries it, and lives from the event's time, so a late
 * fan-out never stretches it (a message whose link is already dead is not composed at all).
 */
export function accountEmailComposers<S extends AccountComposerStores>(deps: AccountComposerDeps): EmailComposer<S>[] {
  const { policy } = deps

  async function link(tx: S, event: StoredEvent, user: User, purpose: AccountTokenPurpose, email: string, stamp: number | null) {
    const minted = mintLinkToken(deps.random)
    const expiresAt = event.createdAt + linkTtl(policy, purpose)
    await tx.accountTokens.insert({
      id: minted.id,
      userId: user.id,
      purpose,
      kind: 'link',
      secretHash: minted.secretHash,
      email,
      credentialStamp: stamp,
      failedAttempts: 0,
      expiresAt,
      usedAt: null,
      createdAt: event.createdAt,
    })
    const url = new URL(PAGES[purpose], deps.issuer)
    url.searchParams.set('token', minted.token)
    return { url: url.toString(), expiresAt }
  }

  async function code(tx: S, event: StoredEvent, user: User, purpose: AccountTokenPurpose, stamp: number | null): Promise<string> {
    const value = mintCode()
    const id = mintLinkToken(deps.random).id
    await tx.accountTokens.insert({
      id,
      userId: user.id,
      purpose,
      kind: 'code',
      secretHash: codeHash(deps.codeKey, id, value),
      email: user.email,
      credentialStamp: stamp,
      failedAttempts: 0,
      expiresAt: event.createdAt + policy.codeTtlMs,
      usedAt: null,
      createdAt: event.createdAt,
    })
    return value
  }

  async function userOf(tx: S, event: StoredEvent): Promise<User | null> {
    if (event.userId === null) return null
    const user = await tx.users.findById(event.userId)
    return user && user.status === 'active' ? user : null
  }

  const expired = (event: StoredEvent, ttl: number, now: number) => event.createdAt + ttl <= now

  /**
   * The language of a message (issue 12 part 6): the one the request that caused the event spoke
   * (its `ui_locales` or `Accept-Language`, carried in the event), else the configured default.
   */
  const localeOf = (event: StoredEvent): Locale => (isLocale(event.payload.locale) ? event.payload.locale : deps.defaultLocale)

  /** Sign-up, and every "send it again": a link and a code, superseding the previous ones. */
  const verification: EmailComposer<S> = async (event, tx) => {
    if (event.type !== 'user.created' && event.type !== 'user.email_verification_requested') return []
    // An account an operator created (CLI, admin API) gets no message unless they asked for one.
    if (event.type === 'user.created' && event.payload.sendVerification === false) return []
    const user = await userOf(tx, event)
    if (!user || user.emailVerified || expired(event, policy.verificationLinkTtlMs, deps.clock.now())) return []
    await tx.accountTokens.retireAll(user.id, 'verify_email', event.createdAt)
    const sent = await link(tx, event, user, 'verify_email', user.email, null)
    return [
      {
        template: 'verify_email',
        to: user.email,
        userId: user.id,
        variables: {
          email: user.email,
          link: sent.url,
          code: await code(tx, event, user, 'verify_email', null),
          hours: hours(policy.verificationLinkTtlMs),
          locale: localeOf(event),
        },
        expiresAt: sent.expiresAt,
      },
    ]
  }

  /**
   * A reset link, and a 6-digit code for the recovery flow that asked (flows/steps/recovery-code-step.ts),
   * both bound to the password as it is now: any later password change kills them.
   */
  const reset: EmailComposer<S> = async (event, tx) => {
    if (event.type !== 'user.password_reset_requested') return []
    const user = await userOf(tx, event)
    if (!user || expired(event, policy.resetLinkTtlMs, deps.clock.now())) return []
    const stamp = await tx.accountTokens.credentialStamp(user.id)
    // One live code at a time, as for verification: a new message supersedes the older codes, so
    // the 5 wrong tries are 5 guesses at one code, never at several at once.
    await tx.accountTokens.retireKind(user.id, 'reset_password', 'code', event.createdAt)
    const sent = await link(tx, event, user, 'reset_password', user.email, stamp)
    return [
      {
        template: 'password_reset',
        to: user.email,
        userId: user.id,
        variables: {
          email: user.email,
          link: sent.url,
          code: await code(tx, event, user, 'reset_password', stamp),
          minutes: minutes(policy.resetLinkTtlMs),
          locale: localeOf(event),
        },
        expiresAt: sent.expiresAt,
      },
    ]
  }

  /** Every password change, by any path, is told to the owner (OWASP Forgot Password Cheat Sheet). */
  const passwordChanged: EmailComposer<S> = async (event, tx) => {
    if (event.type !== 'user.password_reset' && event.type !== 'user.password_changed') return []
    if (event.userId === null) return []
    const user = await tx.users.findById(event.userId)
    if (!user) return []
    return [{ template: 'password_changed', to: user.email, userId: user.id, variables: { email: user.email, locale: localeOf(event) } }]
  }

  /** A change of address: a link to the new address, and a notice to the current one. */
  const emailChange: EmailComposer<S> = async (event, tx) => {
    if (event.type !== 'user.email_change_requested') return []
    const user = await userOf(tx, event)
    const newEmail = typeof event.payload.newEmail === 'string' ? event.payload.newEmail : null
    if (!user || !newEmail || expired(event, policy.changeEmailLinkTtlMs, deps.clock.now())) return []
    const notice: ComposedEmail = {
      template: 'email_change_notice',
      to: user.email,
      userId: user.id,
      variables: { email: user.email, newEmail, locale: localeOf(event) },
    }
    // An address that already has an account gets no link (and the requester learns nothing).
    if (await tx.users.findByEmail(newEmail)) return [notice]
    await tx.accountTokens.retireAll(user.id, 'change_email', event.createdAt)
    const sent = await link(tx, event, user, 'change_email', newEmail, null)
    return [
      {
        template: 'email_change_confirm',
        to: newEmail,
        userId: user.id,
        variables: { email: newEmail, link: sent.url, hours: hours(policy.changeEmailLinkTtlMs), locale: localeOf(event) },
        expiresAt: sent.expiresAt,
      },
      notice,
    ]
  }

  /** After the switch, the old address is told. */
  const emailChanged: EmailComposer<S> = async (event) => {
    if (event.type !== 'user.email_changed' || typeof event.payload.previousEmail !== 'string') return []
    return [
      {
        template: 'email_changed',
        to: event.payload.previousEmail,
        userId: event.userId,
        variables: { email: event.payload.previousEmail, locale: localeOf(event) },
      },
    ]
  }

  /** Sign-up with an address that has an account (issue 12 part 5): its owner is told, nothing else happens. */
  const signUpAttempt: EmailComposer<S> = async (event, tx) => {
    if (event.type !== 'user.sign_up_attempted') return []
    const user = await userOf(tx, event)
    if (!user) return []
    return [{ template: 'sign_up_attempt', to: user.email, userId: user.id, variables: { email: user.email, locale: localeOf(event) } }]
  }

  return [verification, reset, passwordChanged, emailChange, emailChanged, signUpAttempt]
}
