import { type Html, html, layout } from './html.js'
import { ENGLISH } from './page-translator.js'
import { alert, type FlowForm, hidden } from './pages.js'
import { rich } from './rich-text.js'

/**
 * The pages of a recovery flow (issue 12, docs/email.md): the message's code, then the new
 * password. The code page is the same whether or not the address has an account: it shows only
 * what the person typed.
 */
export function recoveryCodePage(input: FlowForm & { email: string; minutes: number; error: string | null; notice: string | null }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('checkEmail.title'),
    html`<h1>${t.t('checkEmail.title')}</h1>
<p class="lead">${rich(t, 'recovery.codeLead', { email: input.email, minutes: input.minutes })}</p>
${alert(input.error)}
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : html``}
<form method="post" action="/ui/recovery/code">
${hidden(input)}
<label for="code">${t.t('verifyStep.codeLabel')}</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">${t.t('recovery.codeSubmit')}</button>
</form>
<form method="post" action="/ui/recovery/code">
${hidden(input)}
<input type="hidden" name="action" value="resend">
<button type="submit" class="secondary">${t.t('verifyStep.resend')}</button>
</form>
<p class="alt"><a href="/ui/forgot-password">${t.t('recovery.otherAddress')}</a></p>`,
    t.locale,
  )
}

export function recoveryPasswordPage(input: FlowForm & { error: string | null }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('reset.title'),
    html`<h1>${t.t('reset.title')}</h1>
${alert(input.error)}
<form method="post" action="/ui/recovery/password">
${hidden(input)}
<label for="password">${t.t('field.newPassword')}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-hint">
<p id="password-hint" class="hint">${t.t('signUp.passwordHint', { min: 8 })}</p>
<button type="submit">${t.t('reset.submit')}</button>
</form>`,
    t.locale,
  )
}
