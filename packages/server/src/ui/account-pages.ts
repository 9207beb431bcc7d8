import type { Translator } from '../i18n/translator.js'
import { type Html, html, layout } from './html.js'
import { ENGLISH } from './page-translator.js'
import { rich } from './rich-text.js'

/**
 * The hosted pages of the account flows (docs/email.md): forms only, the logic is in accounts/.
 * Each takes the translator its route chose (English when none).
 */

function alert(message: string | null): Html {
  return message ? html`<p class="alert" role="alert">${message}</p>` : html``
}

export function forgotPasswordPage(input: { error: string | null; t?: Translator }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('forgot.title'),
    html`<h1>${t.t('forgot.title')}</h1>
<p class="lead">${t.t('forgot.lead')}</p>
${alert(input.error)}
<form method="post" action="/ui/forgot-password">
<label for="email">${t.t('field.email')}</label>
<input id="email" name="email" type="email" autocomplete="username" required>
<button type="submit">${t.t('forgot.submit')}</button>
</form>`,
    t.locale,
  )
}

export function resetPasswordPage(input: { token: string; error: string | null; t?: Translator }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('reset.title'),
    html`<h1>${t.t('reset.title')}</h1>
${alert(input.error)}
<form method="post" action="/ui/reset-password">
<input type="hidden" name="token" value="${input.token}">
<label for="password">${t.t('field.newPassword')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-hint">
<p id="password-hint" class="hint">${t.t('signUp.passwordHint', { min: 8 })}</p>
<button type="submit">${t.t('reset.submit')}</button>
</form>`,
    t.locale,
  )
}

export function passwordResetDonePage(t: Translator = ENGLISH): Html {
  return layout(
    t.t('resetDone.title'),
    html`<h1>${t.t('resetDone.heading')}</h1>
<p>${t.t('resetDone.body')}</p>`,
    t.locale,
  )
}

export function verifyEmailPage(input: { token: string; t?: Translator }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('verify.title'),
    html`<h1>${t.t('verify.title')}</h1>
<form method="post" action="/ui/verify-email">
<input type="hidden" name="token" value="${input.token}">
<button type="submit">${t.t('verify.submit')}</button>
</form>`,
    t.locale,
  )
}

export function emailVerifiedPage(input: { email: string; t?: Translator }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('verified.title'),
    html`<h1>${t.t('verified.title')}</h1>\n<p>${rich(t, 'verified.body', { email: input.email })} ${t.t('page.closeWindow')}</p>`,
    t.locale,
  )
}

export function accountLinkErrorPage(message: string, t: Translator = ENGLISH): Html {
  return layout(
    t.t('linkError.title'),
    html`<h1>${t.t('linkError.title')}</h1>
<p class="alert" role="alert">${message}</p>
<p><a href="/ui/forgot-password">${t.t('linkError.newReset')}</a></p>`,
    t.locale,
  )
}

/** Asks for a new verification message by address (the way back from email_not_verified). */
export function resendVerificationPage(input: { email: string | null; error: string | null; t?: Translator }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('resend.title'),
    html`<h1>${t.t('resend.title')}</h1>
<p class="lead">${t.t('resend.lead')}</p>
${alert(input.error)}
<form method="post" action="/ui/verify-email/resend">
<label for="email">${t.t('field.email')}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${input.email ?? ''}">
<button type="submit">${t.t('forgot.submit')}</button>
</form>`,
    t.locale,
  )
}

export function resendRequestedPage(t: Translator = ENGLISH): Html {
  return layout(t.t('checkEmail.title'), html`<h1>${t.t('checkEmail.title')}</h1>\n<p>${t.t('resend.body')}</p>`, t.locale)
}
