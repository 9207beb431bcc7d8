import type { Translator } from '../i18n/translator.js'
import { type Html, html, layout } from './html.js'
import { ENGLISH } from './page-translator.js'
import { alert, type Localized } from './pages.js'
import { rich } from './rich-text.js'
import { describeScope } from './scope-words.js'

/** The form of the verification page: the code as typed (or from `verification_uri_complete`) and the session's CSRF token. */
export interface DeviceForm extends Localized {
  email: string
  csrf: string
  userCode: string
}

/** RFC 8628 §3.3: the page where the user types the code their device shows. */
export function deviceEntryPage(input: DeviceForm & { error: string | null }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('device.title'),
    html`<h1>${t.t('device.title')}</h1>
<p class="lead">${rich(t, 'device.lead', { email: input.email })}</p>
${alert(input.error)}
<form method="post" action="/ui/device">
<input type="hidden" name="csrf" value="${input.csrf}">
<label for="user_code">${t.t('device.codeLabel')}</label>
<input id="user_code" name="user_code" type="text" value="${input.userCode}" autocomplete="off" autocapitalize="characters" spellcheck="false" maxlength="20" required>
<p class="hint">${t.t('device.codeHint')}</p>
<button type="submit">${t.t('device.continue')}</button>
</form>`,
    t.locale,
  )
}

/**
 * RFC 8628 §5.4 (remote phishing): before anything is allowed, the page names the application and
 * what it asks for, shows the code to compare with the device, and warns; approving takes a click.
 */
export function deviceConfirmPage(input: DeviceForm & { appName: string; scope: string[]; apiName: string | null }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('device.confirm.title'),
    html`<h1>${t.t('device.confirm.heading', { app: input.appName })}</h1>
<p class="lead">${rich(t, 'device.confirm.lead', { app: input.appName, email: input.email })}</p>
<ul class="scopes">
${input.apiName === null ? html`` : html`<li>${rich(t, 'device.confirm.api', { api: input.apiName })}</li>`}
${input.scope.map((scope) => html`<li>${describeScope(scope, t)}</li>`)}
</ul>
<p>${rich(t, 'device.confirm.code', { code: input.userCode })}</p>
<p class="alert" role="alert">${t.t('device.confirm.warning')}</p>
<form method="post" action="/ui/device/decision" class="actions">
<input type="hidden" name="user_code" value="${input.userCode}">
<input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit" name="decision" value="deny" class="secondary">${t.t('device.confirm.deny')}</button>
<button type="submit" name="decision" value="allow">${t.t('device.confirm.allow')}</button>
</form>`,
    t.locale,
  )
}

/** The end of the page's work: the device learns the outcome by polling. */
export function deviceDonePage(input: { approved: boolean; appName: string; t?: Translator }): Html {
  const t = input.t ?? ENGLISH
  const title = t.t(input.approved ? 'device.approved.title' : 'device.denied.title')
  return layout(
    title,
    html`<h1>${title}</h1>
<p>${input.approved ? rich(t, 'device.approved.body', { app: input.appName }) : t.t('device.denied.body')}</p>`,
    t.locale,
  )
}
