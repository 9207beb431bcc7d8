import { type Html, html } from './html.js'
import { SCRIPT_PATHS } from './script-assets.js'

/** The scripts of a page with passkeys, in order: the library, then our ceremonies. */
export const PASSKEY_SCRIPTS = [SCRIPT_PATHS.webauthn, SCRIPT_PATHS.passkeys] as const

/**
 * A passkey button for a flow's page: the script fetches options from `optionsUrl`, asks the
 * authenticator, puts the assertion in this form and posts it. Without script the button stays
 * hidden and the page works as before.
 */
export function passkeyForm(
  form: { requestId: string; csrf: string },
  input: { action: string; optionsUrl: string; label: string; factor?: string },
): Html {
  return html`<form method="post" action="${input.action}" data-passkey-form data-options-url="${input.optionsUrl}">
<input type="hidden" name="request" value="${form.requestId}">
<input type="hidden" name="csrf" value="${form.csrf}">
${input.factor ? html`<input type="hidden" name="factor" value="${input.factor}">` : html``}
<input type="hidden" name="webauthnChallengeId" value="">
<input type="hidden" name="assertion" value="">
<button type="button" class="secondary" data-passkey-start hidden>${input.label}</button>
</form>
<p class="alert" role="alert" data-passkey-error hidden></p>`
}
