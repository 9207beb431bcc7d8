import { continueWith, linkNotice, type OfferedConnection } from './connection-pages.js'
import { type Html, html, layout } from './html.js'
import { describeScope } from './scope-words.js'

export interface FlowForm {
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
  return layout(
    'Sign in',
    html`<h1>Sign in</h1>
<p class="lead">to continue to <strong>${input.appName}</strong></p>
${alert(input.error)}
${linkNotice(input.link ?? null)}
${
  input.unverified
    ? html`<form method="post" action="/ui/verify-email/resend" class="actions">
<input type="hidden" name="email" value="${input.email ?? ''}">
<button type="submit" class="secondary">Send the confirmation link again</button>
</form>`
    : html``
}
<form method="post" action="/ui/sign-in">
${hidden(input)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${input.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
${continueWith(input.requestId, input.link ? [] : (input.connections ?? []))}
<p class="alt"><a href="/ui/forgot-password">Forgot your password?</a></p>
<p class="alt"><a href="/ui/sign-up?request=${input.requestId}">Create an account</a></p>`,
  )
}

export function signUpPage(input: FlowForm & { appName: string; email: string | null; error: string | null }): Html {
  return layout(
    'Create an account',
    html`<h1>Create an account</h1>
<p class="lead">to continue to <strong>${input.appName}</strong></p>
${alert(input.error)}
<form method="post" action="/ui/sign-up">
${hidden(input)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${input.email ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-hint">
<p id="password-hint" class="hint">At least 8 characters. A long phrase is best.</p>
<button type="submit">Create account</button>
</form>
<p class="alt"><a href="/ui/sign-in?request=${input.requestId}">I already have an account</a></p>`,
  )
}

/**
 * The second step of a sign-in (issue 13): a code from the authenticator app, or one of the
 * recovery codes. (Passkeys as a second factor are offered through the JSON API; the hosted page
 * asks for a code, which needs no script.)
 */
export function secondFactorPage(input: FlowForm & { appName: string; factors: readonly string[]; error: string | null }): Html {
  const recovery = input.factors.includes('recovery_code')
  const totp = input.factors.includes('totp')
  return layout(
    'Two-step verification',
    html`<h1>Two-step verification</h1>
<p class="lead">to continue to <strong>${input.appName}</strong></p>
${alert(input.error)}
${
  totp
    ? html`<form method="post" action="/ui/second-factor">
${hidden(input)}
<input type="hidden" name="factor" value="totp">
<label for="code">Code from your authenticator app</label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
<button type="submit">Verify</button>
</form>`
    : html``
}
${
  recovery
    ? html`<form method="post" action="/ui/second-factor">
${hidden(input)}
<input type="hidden" name="factor" value="recovery_code">
<label for="recovery">Or a recovery code</label>
<input id="recovery" name="code" autocomplete="off" maxlength="20" required>
<button type="submit" class="secondary">Use a recovery code</button>
</form>`
    : html``
}`,
  )
}

export function consentPage(input: FlowForm & { appName: string; email: string; scope: string[] }): Html {
  return layout(
    'Allow access',
    html`<h1>Allow ${input.appName}?</h1>
<p class="lead">Signed in as <strong>${input.email}</strong>. <strong>${input.appName}</strong> asks to:</p>
<ul class="scopes">
${input.scope.map((scope) => html`<li>${describeScope(scope)}</li>`)}
</ul>
<form method="post" action="/ui/consent" class="actions">
${hidden(input)}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  )
}

export function errorPage(message: string): Html {
  return layout(
    'Something went wrong',
    html`<h1>Something went wrong</h1>
<p class="alert" role="alert">${message}</p>
<p>Go back to the application and try again.</p>`,
  )
}

export function signedOutPage(): Html {
  return layout('Signed out', html`<h1>You are signed out</h1>\n<p>You can close this window.</p>`)
}

export function logoutConfirmPage(input: { csrf: string; fields: Record<string, string> }): Html {
  return layout(
    'Sign out',
    html`<h1>Sign out of Tessera?</h1>
<p>This signs you out of every application that uses this Tessera account in this browser.</p>
<form method="post" action="/oauth/logout" class="actions">
<input type="hidden" name="csrf" value="${input.csrf}">
${Object.entries(input.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit" name="confirm" value="yes">Sign out</button>
</form>`,
  )
}
