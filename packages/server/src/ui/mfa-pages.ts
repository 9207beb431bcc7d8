import { type Html, html, layout } from './html.js'
import { ENGLISH } from './page-translator.js'
import { alert, type FlowForm, hidden } from './pages.js'
import { rich } from './rich-text.js'

/** The secret as an app takes it typed by hand: base32 in groups of four. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim()
}

/** The recovery codes, shown once, in a list that reads well aloud and copies cleanly. */
export function recoveryCodeList(codes: readonly string[]): Html {
  return html`<ol class="codes">
${codes.map((code) => html`<li><code>${code}</code></li>`)}
</ol>`
}

/**
 * Sign-in step where a second factor is required and the user has none (docs/mfa.md "Policy"):
 * scan the QR code (or type the secret), then one code from the app activates it.
 */
export function enrolmentPage(input: FlowForm & { appName: string; qr: Html; secret: string; error: string | null }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('mfaEnrol.title'),
    html`<h1>${t.t('mfaEnrol.title')}</h1>
<p class="lead">${rich(t, 'mfaEnrol.lead', { app: input.appName })}</p>
${alert(input.error)}
<div class="qr-box">${input.qr}</div>
<p class="hint">${t.t('mfaEnrol.manualKey')} <code class="secret">${grouped(input.secret)}</code></p>
<form method="post" action="/ui/second-factor/enrol">
${hidden(input)}
<label for="code">${t.t('mfaEnrol.codeLabel')}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">${t.t('mfaEnrol.turnOn')}</button>
</form>`,
    t.locale,
  )
}

/** The recovery codes that came with a first factor, shown once; or, shown again, only that they were. */
export function recoveryCodesPage(input: FlowForm & { codes: readonly string[] | null }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('recoveryCodes.title'),
    html`<h1>${t.t('recoveryCodes.title')}</h1>
${
  input.codes
    ? html`<p class="lead">${t.t('recoveryCodes.lead')}</p>
${recoveryCodeList(input.codes)}`
    : html`<p class="lead">${t.t('recoveryCodes.shownOnce')}</p>`
}
<form method="post" action="/ui/recovery-codes">
${hidden(input)}
<button type="submit">${t.t('recoveryCodes.continue')}</button>
</form>`,
    t.locale,
  )
}
