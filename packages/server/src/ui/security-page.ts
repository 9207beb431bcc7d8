import { type Html, html, layout } from './html.js'
import { recoveryCodeList } from './mfa-pages.js'
import { alert } from './pages.js'
import { PASSKEY_SCRIPTS } from './passkey-form.js'

export interface ShownFactor {
  id: string
  kind: 'totp' | 'webauthn'
  name: string
  createdAt: string
  lastUsedAt: string | null
}

const day = (iso: string) => iso.slice(0, 10)

/** A passkey's rename form: a name is no credential, so it needs no recent sign-in. */
function renameForm(factor: ShownFactor): Html {
  return html`<form method="post" action="/ui/account/security/rename" class="inline">
<input type="hidden" name="id" value="${factor.id}">
<label for="rename-${factor.id}">New name</label>
<input id="rename-${factor.id}" name="name" type="text" required maxlength="64" value="${factor.name}" autocomplete="off">
<button type="submit" class="secondary" aria-label="Rename ${factor.name}">Rename</button>
</form>`
}

function factorList(factors: readonly ShownFactor[], empty: string, canChange: boolean): Html {
  if (factors.length === 0) return html`<p class="hint">${empty}</p>`
  return html`<ul class="factors">
${factors.map(
  (factor) => html`<li><strong>${factor.name}</strong> <span class="hint">added ${day(factor.createdAt)}, last used ${
    factor.lastUsedAt ? day(factor.lastUsedAt) : 'never'
  }</span>
${factor.kind === 'webauthn' ? renameForm(factor) : html``}
${
  canChange
    ? html`<form method="post" action="/ui/account/security/remove" class="inline">
<input type="hidden" name="id" value="${factor.id}">
<button type="submit" class="secondary" aria-label="Remove ${factor.name}">Remove</button>
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
}): Html {
  const apps = input.factors.filter((factor) => factor.kind === 'totp')
  const passkeys = input.factors.filter((factor) => factor.kind === 'webauthn')
  const add = input.recent && input.enrolmentAllowed
  return layout(
    'Security',
    html`<h1>Security</h1>
<p class="lead">Signed in as <strong>${input.email}</strong>. <a href="/ui/account">Your account</a></p>
${alert(input.error)}
${
  input.recent
    ? html``
    : html`<form method="post" action="/ui/account/security/sign-in-again">
<p class="hint">To change these settings, sign in again: the last sign-in was more than five minutes ago.</p>
<button type="submit">Sign in again</button>
</form>`
}
${input.enrolmentAllowed ? html`` : html`<p class="hint">Second factors are turned off on this server.</p>`}
<h2>Passkeys</h2>
${factorList(passkeys, 'No passkeys yet. A passkey signs you in without a password.', input.recent)}
${
  add
    ? html`<label for="passkey-name">Name for a new passkey</label>
<input id="passkey-name" type="text" maxlength="64" value="Passkey" autocomplete="off">
<button type="button" data-passkey-register>Add a passkey</button>
<p class="alert" role="alert" data-passkey-error hidden></p>
<div data-recovery-codes-box hidden>
<h3>Save your recovery codes</h3>
<p class="hint">Each code signs you in once if you lose your passkeys. They are shown only now.</p>
<ol class="codes" data-recovery-codes></ol>
<p><a href="/ui/account/security">I saved them</a></p>
</div>`
    : html``
}
<h2>Authenticator apps</h2>
${factorList(apps, 'No authenticator app yet.', input.recent)}
${add ? html`<p><a href="/ui/account/security/totp">Add an authenticator app</a></p>` : html``}
<h2>Recovery codes</h2>
<p class="hint">${input.recoveryCodesLeft} unused recovery code(s).</p>
${
  input.recent && input.factors.length > 0
    ? html`<form method="post" action="/ui/account/security/recovery-codes">
<button type="submit" class="secondary">Make new recovery codes</button>
</form>`
    : html``
}`,
    'en',
    add ? PASSKEY_SCRIPTS : [],
  )
}

/** Adding an authenticator app from the security page: scan, then one code turns it on. */
export function addAuthenticatorPage(input: { qr: Html; secret: string; error: string | null }): Html {
  return layout(
    'Add an authenticator app',
    html`<h1>Add an authenticator app</h1>
${alert(input.error)}
<div class="qr-box">${input.qr}</div>
<p class="hint">Can't scan it? Enter this key in the app: <code class="secret">${input.secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
<form method="post" action="/ui/account/security/totp">
<label for="code">Code from the app</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">Turn on</button>
</form>
<p class="alt"><a href="/ui/account/security">Cancel</a></p>`,
  )
}

/** New recovery codes (or the first set), shown once. */
export function newRecoveryCodesPage(codes: readonly string[]): Html {
  return layout(
    'Your recovery codes',
    html`<h1>Your recovery codes</h1>
<p class="lead">Each code signs you in once if you lose your second factors. Keep them somewhere safe: they are shown only now, and any older codes no longer work.</p>
${recoveryCodeList(codes)}
<p class="alt"><a href="/ui/account/security">I saved them</a></p>`,
  )
}
