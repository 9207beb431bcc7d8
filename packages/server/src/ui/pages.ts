import type { Translator } from '../i18n/translator.js'
import { continueWith, linkNotice, type OfferedConnection } from './connection-pages.js'
import { type Html, html, layout } from './html.js'
import { ENGLISH } from './page-translator.js'
import { PASSKEY_SCRIPTS, passkeyForm } from './passkey-form.js'
import { rich } from './rich-text.js'
import { describeScope } from './scope-words.js'

/** Every hosted page speaks the language its route chose (ui/page-translator.ts); English when none. */
export interface Localized {
  t?: Translator
}

export interface FlowForm extends Localized {
  requestId: string
  csrf: string
}

export function hidden(form: FlowForm): Html {
  return html`<input type="hidden" name="request" value="${form.requestId}">
<input type="hidden" name="csrf" value="${form.csrf}">`
}

export function alert(message: string | null): Html {
  return message ? html`<p class="alert" role="alert">${message}</p>` : html``
}

export function signInPage(
  input: FlowForm & {
    appName: string
    email: string | null
    error: string | null
    /** Issue 15: the upstream providers offered, and an identity waiting to be linked. */
    connections?: readonly OfferedConnection[]
    link?: { connectionName: string; email: string } | null
    unverified?: boolean
  },
): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('signIn.title'),
    html`<h1>${t.t('signIn.title')}</h1>
<p class="lead">${rich(t, 'signIn.lead', { app: input.appName })}</p>
${alert(input.error)}
${linkNotice(input.link ?? null, t)}
${
  input.unverified
    ? html`<form method="post" action="/ui/verify-email/resend" class="actions">
<input type="hidden" name="email" value="${input.email ?? ''}">
<button type="submit" class="secondary">${t.t('signIn.resendVerification')}</button>
</form>`
    : html``
}
<form method="post" action="/ui/sign-in">
${hidden(input)}
<label for="email">${t.t('field.email')}</label>
<input id="email" name="email" type="email" autocomplete="username webauthn" required value="${input.email ?? ''}">
<label for="password">${t.t('field.password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">${t.t('signIn.submit')}</button>
</form>
${passkeyForm(input, { action: '/ui/sign-in/passkey', optionsUrl: '/ui/passkey/options', label: t.t('signIn.passkey') })}
${continueWith(input.requestId, input.link ? [] : (input.connections ?? []), t)}
<p class="alt"><a href="/ui/forgot-password">${t.t('signIn.forgot')}</a></p>
<p class="alt"><a href="/ui/sign-up?request=${input.requestId}">${t.t('signIn.createAccount')}</a></p>`,
    t.locale,
    PASSKEY_SCRIPTS,
  )
}

export function signUpPage(
  input: FlowForm & { appName: string; email: string | null; error: string | null; offerVerification?: boolean },
): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('signUp.title'),
    html`<h1>${t.t('signUp.title')}</h1>
<p class="lead">${rich(t, 'signIn.lead', { app: input.appName })}</p>
${alert(input.error)}
<form method="post" action="/ui/sign-up">
${hidden(input)}
<label for="email">${t.t('field.email')}</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${input.email ?? ''}">
<label for="password">${t.t('field.password')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-hint">
<p id="password-hint" class="hint">${t.t('signUp.passwordHint', { min: 8 })}</p>
${
  input.offerVerification
    ? html`<label class="check"><input type="checkbox" name="verifyEmail" value="now"> ${t.t('signUp.verifyNow')}</label>`
    : html``
}
<button type="submit">${t.t('signUp.submit')}</button>
</form>
<p class="alt"><a href="/ui/sign-in?request=${input.requestId}">${t.t('signUp.haveAccount')}</a></p>`,
    t.locale,
  )
}

/**
 * The second step of a sign-in (issue 13): a code from the authenticator app, or one of the
 * recovery codes. (Passkeys as a second factor are offered through the JSON API; the hosted page
 * asks for a code, which needs no script.)
 */
export function secondFactorPage(input: FlowForm & { appName: string; factors: readonly string[]; error: string | null }): Html {
  const t = input.t ?? ENGLISH
  const recovery = input.factors.includes('recovery_code')
  const totp = input.factors.includes('totp')
  return layout(
    t.t('secondFactor.title'),
    html`<h1>${t.t('secondFactor.title')}</h1>
<p class="lead">${rich(t, 'signIn.lead', { app: input.appName })}</p>
${alert(input.error)}
${
  totp
    ? html`<form method="post" action="/ui/second-factor">
${hidden(input)}
<input type="hidden" name="factor" value="totp">
<label for="code">${t.t('secondFactor.totpLabel')}</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">${t.t('secondFactor.verify')}</button>
</form>`
    : html``
}
${
  input.factors.includes('webauthn')
    ? passkeyForm(input, {
        action: '/ui/second-factor',
        optionsUrl: '/ui/second-factor/webauthn-options',
        label: t.t('secondFactor.usePasskey'),
        factor: 'webauthn',
      })
    : html``
}
${
  recovery
    ? html`<form method="post" action="/ui/second-factor">
${hidden(input)}
<input type="hidden" name="factor" value="recovery_code">
<label for="recovery">${t.t('secondFactor.recoveryLabel')}</label>
<input id="recovery" name="code" autocomplete="off" maxlength="20" required>
<button type="submit" class="secondary">${t.t('secondFactor.useRecovery')}</button>
</form>`
    : html``
}`,
    t.locale,
    input.factors.includes('webauthn') ? PASSKEY_SCRIPTS : [],
  )
}

export function consentPage(input: FlowForm & { appName: string; email: string; scope: string[] }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('consent.title'),
    html`<h1>${t.t('consent.heading', { app: input.appName })}</h1>
<p class="lead">${rich(t, 'consent.lead', { app: input.appName, email: input.email })}</p>
<ul class="scopes">
${input.scope.map((scope) => html`<li>${describeScope(scope, t)}</li>`)}
</ul>
<form method="post" action="/ui/consent" class="actions">
${hidden(input)}
<button type="submit" name="decision" value="allow">${t.t('consent.allow')}</button>
<button type="submit" name="decision" value="deny" class="secondary">${t.t('consent.deny')}</button>
</form>`,
    t.locale,
  )
}

export function errorPage(message: string, t: Translator = ENGLISH): Html {
  return layout(
    t.t('error.title'),
    html`<h1>${t.t('error.title')}</h1>
<p class="alert" role="alert">${message}</p>
<p>${t.t('error.back')}</p>`,
    t.locale,
  )
}

export function signedOutPage(t: Translator = ENGLISH): Html {
  return layout(t.t('signedOut.title'), html`<h1>${t.t('signedOut.heading')}</h1>\n<p>${t.t('page.closeWindow')}</p>`, t.locale)
}

export function logoutConfirmPage(input: Localized & { csrf: string; fields: Record<string, string> }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('logout.title'),
    html`<h1>${t.t('logout.heading', { product: 'Tessera' })}</h1>
<p>${t.t('logout.body', { product: 'Tessera' })}</p>
<form method="post" action="/oauth/logout" class="actions">
<input type="hidden" name="csrf" value="${input.csrf}">
${Object.entries(input.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit" name="confirm" value="yes">${t.t('logout.submit')}</button>
</form>`,
    t.locale,
  )
}
