import { type Html, html, layout } from './html.js'
import { ENGLISH } from './page-translator.js'
import { alert, type FlowForm, hidden } from './pages.js'
import { rich } from './rich-text.js'

/**
 * The `verify_email` step of a login flow (issue 12, docs/email.md): the code from the message, a
 * "continue" for a link opened on another device, and a resend. The same page whether the flow's
 * address had an account or not: only the address the person typed is shown.
 */
export function verifyEmailStepPage(
  input: FlowForm & { email: string; error: string | null; notice: string | null; optional?: boolean },
): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('verifyStep.title'),
    html`<h1>${t.t('verifyStep.title')}</h1>
<p class="lead">${rich(t, 'verifyStep.lead', { email: input.email })}</p>
${alert(input.error)}
${input.notice ? html`<p class="notice" role="status">${input.notice}</p>` : html``}
<form method="post" action="/ui/verify-email/code">
${hidden(input)}
<label for="code">${t.t('verifyStep.codeLabel')}</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">${t.t('verifyStep.submit')}</button>
</form>
<form method="post" action="/ui/verify-email/code">
${hidden(input)}
<p class="alt">${t.t('verifyStep.linkHint')}</p>
<button type="submit" class="secondary">${t.t('verifyStep.continue')}</button>
</form>
<form method="post" action="/ui/verify-email/code">
${hidden(input)}
<input type="hidden" name="action" value="resend">
<button type="submit" class="secondary">${t.t('verifyStep.resend')}</button>
</form>
${
  input.optional
    ? html`<form method="post" action="/ui/verify-email/code">
${hidden(input)}
<input type="hidden" name="action" value="skip">
<button type="submit" class="secondary">${t.t('verifyStep.skip')}</button>
</form>`
    : html``
}`,
    t.locale,
  )
}
