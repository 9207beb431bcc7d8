import type { Translator } from '../i18n/translator.js'
import { type Html, html, layout } from './html.js'
import { recoveryCodeList } from './mfa-pages.js'
import { ENGLISH } from './page-translator.js'
import { alert } from './pages.js'
import { PASSKEY_SCRIPTS } from './passkey-form.js'
import { rich } from './rich-text.js'

export interface ShownFactor {
  id: string
  kind: 'totp' | 'webauthn'
  name: string
  createdAt: string
  lastUsedAt: string | null
}

const day = (iso: string) => iso.slice(0, 10)

/** A passkey's rename form: a name is no credential, so it needs no recent sign-in. */
function renameForm(factor: ShownFactor, t: Translator): Html {
  return html`<form method="post" action="/ui/account/security/rename" class="inline">
<input type="hidden" name="id" value="${factor.id}">
<label for="rename-${factor.id}">${t.t('security.newName')}</label>
<input id="rename-${factor.id}" name="name" type="text" required maxlength="64" value="${factor.name}" autocomplete="off">
<button type="submit" class="secondary" aria-label="${t.t('security.renameLabel', { name: factor.name })}">${t.t('security.rename')}</button>
</form>`
}

function factorList(factors: readonly ShownFactor[], empty: string, canChange: boolean, t: Translator): Html {
  if (factors.length === 0) return html`<p class="hint">${empty}</p>`
  return html`<ul class="factors">
${factors.map(
  (factor) => html`<li><strong>${factor.name}</strong> <span class="hint">${t.t('security.factorDates', {
    added: day(factor.createdAt),
    used: factor.lastUsedAt ? day(factor.lastUsedAt) : t.t('security.never'),
  })}</span>
${factor.kind === 'webauthn' ? renameForm(factor, t) : html``}
${
  canChange
    ? html`<form method="post" action="/ui/account/security/remove" class="inline">
<input type="hidden" name="id" value="${factor.id}">
<button type="submit" class="secondary" aria-label="${t.t('security.removeLabel', { name: factor.name })}">${t.t('security.remove')}</button>
</form>`
    : html``
}</li>`,
)}
</ul>`
}

/**
 * The account's security page (docs/mfa.md "Hosted pages"): authenticator apps, passkeys and
 * recovery codes. Changes need a sign-in within five minutes; past that the page offers a fresh one.
 */
export function securityPage(input: {
  email: string
  factors: readonly ShownFactor[]
  recoveryCodesLeft: number
  recent: boolean
  enrolmentAllowed: boolean
  error: string | null
  t?: Translator
}): Html {
  const t = input.t ?? ENGLISH
  const apps = input.factors.filter((factor) => factor.kind === 'totp')
  const passkeys = input.factors.filter((factor) => factor.kind === 'webauthn')
  const add = input.recent && input.enrolmentAllowed
  return layout(
    t.t('security.title'),
    html`<h1>${t.t('security.title')}</h1>
<p class="lead">${rich(t, 'security.lead', { email: input.email })} <a href="/ui/account">${t.t('security.account')}</a></p>
${alert(input.error)}
${
  input.recent
    ? html``
    : html`<form method="post" action="/ui/account/security/sign-in-again">
<p class="hint">${t.t('security.signInAgainHint')}</p>
<button type="submit">${t.t('security.signInAgain')}</button>
</form>`
}
${input.enrolmentAllowed ? html`` : html`<p class="hint">${t.t('security.mfaOff')}</p>`}
<h2>${t.t('security.passkeys')}</h2>
${factorList(passkeys, t.t('security.noPasskeys'), input.recent, t)}
${
  add
    ? html`<label for="passkey-name">${t.t('security.passkeyName')}</label>
<input id="passkey-name" type="text" maxlength="64" value="${t.t('security.passkeyDefault')}" autocomplete="off">
<button type="button" data-passkey-register>${t.t('security.addPasskey')}</button>
<p class="alert" role="alert" data-passkey-error hidden></p>
<div data-recovery-codes-box hidden>
<h3>${t.t('recoveryCodes.title')}</h3>
<p class="hint">${t.t('security.passkeyCodesHint')}</p>
<ol class="codes" data-recovery-codes></ol>
<p><a href="/ui/account/security">${t.t('security.saved')}</a></p>
</div>`
    : html``
}
<h2>${t.t('security.apps')}</h2>
${factorList(apps, t.t('security.noApps'), input.recent, t)}
${add ? html`<p><a href="/ui/account/security/totp">${t.t('security.addApp')}</a></p>` : html``}
<h2>${t.t('security.recoveryCodes')}</h2>
<p class="hint">${t.t('security.codesLeft', { count: input.recoveryCodesLeft })}</p>
${
  input.recent && input.factors.length > 0
    ? html`<form method="post" action="/ui/account/security/recovery-codes">
<button type="submit" class="secondary">${t.t('security.newCodes')}</button>
</form>`
    : html``
}`,
    t.locale,
    add ? PASSKEY_SCRIPTS : [],
  )
}

/** Adding an authenticator app from the security page: scan, then one code turns it on. */
export function addAuthenticatorPage(input: { qr: Html; secret: string; error: string | null; t?: Translator }): Html {
  const t = input.t ?? ENGLISH
  return layout(
    t.t('security.addApp'),
    html`<h1>${t.t('security.addApp')}</h1>
${alert(input.error)}
<div class="qr-box">${input.qr}</div>
<p class="hint">${t.t('mfaEnrol.manualKey')} <code class="secret">${input.secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
<form method="post" action="/ui/account/security/totp">
<label for="code">${t.t('mfaEnrol.codeLabel')}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">${t.t('mfaEnrol.turnOn')}</button>
</form>
<p class="alt"><a href="/ui/account/security">${t.t('security.cancel')}</a></p>`,
    t.locale,
  )
}

/** New recovery codes (or the first set), shown once. */
export function newRecoveryCodesPage(codes: readonly string[], t: Translator = ENGLISH): Html {
  return layout(
    t.t('security.newCodesTitle'),
    html`<h1>${t.t('security.newCodesTitle')}</h1>
<p class="lead">${t.t('security.newCodesLead')}</p>
${recoveryCodeList(codes)}
<p class="alt"><a href="/ui/account/security">${t.t('security.saved')}</a></p>`,
    t.locale,
  )
}
