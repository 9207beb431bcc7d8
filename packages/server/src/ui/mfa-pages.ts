import { type Html, html, layout } from './html.js'
import { alert, type FlowForm, hidden } from './pages.js'

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
  return layout(
    'Set up two-step verification',
    html`<h1>Set up two-step verification</h1>
<p class="lead"><strong>${input.appName}</strong> asks for a second step when you sign in. Add this account to an authenticator app.</p>
${alert(input.error)}
<div class="qr-box">${input.qr}</div>
<p class="hint">Can't scan it? Enter this key in the app: <code class="secret">${grouped(input.secret)}</code></p>
<form method="post" action="/ui/second-factor/enrol">
${hidden(input)}
<label for="code">Code from the app</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">Turn on</button>
</form>`,
  )
}

/** The recovery codes that came with a first factor, shown once; or, shown again, only that they were. */
export function recoveryCodesPage(input: FlowForm & { codes: readonly string[] | null }): Html {
  return layout(
    'Save your recovery codes',
    html`<h1>Save your recovery codes</h1>
${
  input.codes
    ? html`<p class="lead">Each code signs you in once if you lose your authenticator. Keep them somewhere safe: they are shown only now.</p>
${recoveryCodeList(input.codes)}`
    : html`<p class="lead">Your recovery codes were shown once. You can make a new set on your account's security page.</p>`
}
<form method="post" action="/ui/recovery-codes">
${hidden(input)}
<button type="submit">I saved them, continue</button>
</form>`,
  )
}
