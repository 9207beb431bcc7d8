import type { Translator } from '../i18n/translator.js'
import { type Html, html, layout } from './html.js'
import { ENGLISH } from './page-translator.js'
import { rich } from './rich-text.js'

/** One of the user's live sessions, as the hub lists it. */
export interface HubSession {
  id: string
  current: boolean
  userAgent: string | null
  ip: string | null
  /** ISO dates, shown as they are. */
  createdAt: string
  lastActiveAt: string
}

export interface AccountHubInput {
  user: { id: string; email: string; emailVerified: boolean; createdAt: string }
  sessions: readonly HubSession[]
  /** The per-session token every form carries (OWASP CSRF Prevention Cheat Sheet, synchronizer token). */
  csrf: string
  notice: string | null
  error: string | null
  t?: Translator
}

const field = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`

/**
 * `/ui/account` (issue 12 part 4): the signed-in user's own account. Profile and address (with its
 * verified state and a resend), change of address and of password, the live sessions with a
 * revoke button each, and links to the pages of other concerns: second factors
 * (`/ui/account/security`) and upstream sign-in methods (`/ui/account/connections`).
 */
export function accountHubPage(input: AccountHubInput): Html {
  const t = input.t ?? ENGLISH
  const { user, csrf } = input
  return layout(
    t.t('account.title'),
    html`<h1>${t.t('account.title')}</h1>
<p class="lead">${rich(t, 'account.signedInAs', { email: user.email })}</p>
${input.error ? html`<p class="alert" role="alert">${input.error}</p>` : html``}
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : html``}
<section aria-labelledby="profile">
<h2 id="profile">${t.t('account.profile')}</h2>
<dl>
<dt>${t.t('field.email')}</dt><dd>${user.email} · ${user.emailVerified ? t.t('account.verified') : t.t('account.notVerified')}</dd>
<dt>${t.t('account.userId')}</dt><dd><code>${user.id}</code></dd>
<dt>${t.t('account.memberSince')}</dt><dd>${user.createdAt}</dd>
</dl>
${
  user.emailVerified
    ? html``
    : html`<form method="post" action="/ui/account/verify-email" class="actions">
${field(csrf)}
<button type="submit" class="secondary">${t.t('account.resend')}</button>
</form>`
}
</section>
<section aria-labelledby="change-email">
<h2 id="change-email">${t.t('account.changeEmail')}</h2>
<p class="hint">${t.t('account.changeEmailHint')}</p>
<form method="post" action="/ui/account/email">
${field(csrf)}
<label for="new-email">${t.t('account.newEmail')}</label>
<input id="new-email" name="email" type="email" autocomplete="email" required>
<button type="submit">${t.t('account.changeEmailSubmit')}</button>
</form>
</section>
<section aria-labelledby="change-password">
<h2 id="change-password">${t.t('account.changePassword')}</h2>
<form method="post" action="/ui/account/password">
${field(csrf)}
<label for="current-password">${t.t('field.currentPassword')}</label>
<input id="current-password" name="currentPassword" type="password" autocomplete="current-password" required>
<label for="new-password">${t.t('field.newPassword')}</label>
<input id="new-password" name="newPassword" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-hint">
<p id="password-hint" class="hint">${t.t('signUp.passwordHint', { min: 8 })} ${t.t('account.passwordSignsOut')}</p>
<button type="submit">${t.t('account.changePasswordSubmit')}</button>
</form>
</section>
<section aria-labelledby="sessions">
<h2 id="sessions">${t.t('account.sessions')}</h2>
<ul class="scopes">
${input.sessions.map(
  (session) => html`<li>${session.userAgent ?? t.t('account.unknownDevice')}${session.ip ? html` · ${session.ip}` : html``}<br>
<span class="hint">${t.t('account.sessionDates', { created: session.createdAt, active: session.lastActiveAt })}</span>
${
  session.current
    ? html` <strong>${t.t('account.thisDevice')}</strong>`
    : html`<form method="post" action="/ui/account/sessions/revoke" class="actions">
${field(csrf)}
<input type="hidden" name="sessionId" value="${session.id}">
<button type="submit" class="secondary">${t.t('account.revoke')}</button>
</form>`
}</li>`,
)}
</ul>
</section>
<section aria-labelledby="more">
<h2 id="more">${t.t('account.more')}</h2>
<p><a href="/ui/account/security">${t.t('account.security')}</a></p>
<p><a href="/ui/account/connections">${t.t('account.connections')}</a></p>
<p><a href="/oauth/logout">${t.t('logout.submit')}</a></p>
</section>`,
    t.locale,
  )
}

/** `/ui/confirm-email`: the link sent to a new address; a GET shows a button, never spends the link. */
export function confirmEmailPage(input: { token: string; t?: Translator }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('confirmEmail.title'),
    html`<h1>${t.t('confirmEmail.title')}</h1>
<form method="post" action="/ui/confirm-email">
<input type="hidden" name="token" value="${input.token}">
<button type="submit">${t.t('confirmEmail.submit')}</button>
</form>`,
    t.locale,
  )
}

export function emailChangedPage(input: { email: string; t?: Translator }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('emailChanged.title'),
    html`<h1>${t.t('emailChanged.title')}</h1>
<p>${rich(t, 'emailChanged.body', { email: input.email })}</p>
<p><a href="/ui/account">${t.t('account.title')}</a></p>`,
    t.locale,
  )
}

/** The hub for a browser without a session: where to go instead. */
export function signInFirstPage(t: Translator = ENGLISH): Html {
  return layout(
    t.t('account.title'),
    html`<h1>${t.t('account.title')}</h1>
<p class="alert" role="alert">${t.t('account.signInFirst')}</p>`,
    t.locale,
  )
}
