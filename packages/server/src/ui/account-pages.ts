import { type Html, html, layout } from './html.js'

/** The hosted pages of the account flows (docs/email.md): forms only, the logic is in accounts/. */

function alert(message: string | null): Html {
  return message ? html`<p class="alert" role="alert">${message}</p>` : html``
}

export function forgotPasswordPage(input: { error: string | null }): Html {
  return layout(
    'Forgot your password?',
    html`<h1>Forgot your password?</h1>
<p class="lead">Enter your email address and we will send you a link to choose a new password.</p>
${alert(input.error)}
<form method="post" action="/ui/forgot-password">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required>
<button type="submit">Send the link</button>
</form>`,
  )
}

export function resetRequestedPage(): Html {
  return layout(
    'Check your email',
    html`<h1>Check your email</h1>
<p>If an account uses this address, a message with a link to choose a new password is on its way. The link works once, for 30 minutes.</p>`,
  )
}

export function resetPasswordPage(input: { token: string; error: string | null }): Html {
  return layout(
    'Choose a new password',
    html`<h1>Choose a new password</h1>
${alert(input.error)}
<form method="post" action="/ui/reset-password">
<input type="hidden" name="token" value="${input.token}">
<label for="password">New password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-hint">
<p id="password-hint" class="hint">At least 8 characters. A long phrase is best.</p>
<button type="submit">Set the new password</button>
</form>`,
  )
}

export function passwordResetDonePage(): Html {
  return layout(
    'Password changed',
    html`<h1>Your password was changed</h1>
<p>Every device that was signed in to your account has been signed out. Go back to the application and sign in with your new password.</p>`,
  )
}

export function verifyEmailPage(input: { token: string }): Html {
  return layout(
    'Confirm your email address',
    html`<h1>Confirm your email address</h1>
<form method="post" action="/ui/verify-email">
<input type="hidden" name="token" value="${input.token}">
<button type="submit">Confirm my address</button>
</form>`,
  )
}

export function emailVerifiedPage(input: { email: string }): Html {
  return layout(
    'Address confirmed',
    html`<h1>Address confirmed</h1>\n<p><strong>${input.email}</strong> is confirmed. You can close this window.</p>`,
  )
}

export function accountLinkErrorPage(message: string): Html {
  return layout(
    'This link cannot be used',
    html`<h1>This link cannot be used</h1>
<p class="alert" role="alert">${message}</p>
<p><a href="/ui/forgot-password">Ask for a new password link</a></p>`,
  )
}

/** After a sign-up under signUp.requireVerifiedEmail: the same page for a new address and a taken one. */
export function checkEmailPage(input: { signInHref: string | null }): Html {
  return layout(
    'Check your email',
    html`<h1>Check your email</h1>
<p>A message is on its way to the address you entered. Open the link in it to confirm your address, then sign in.</p>
<p class="alt"><a href="/ui/verify-email/resend">No message? Send it again</a></p>
${input.signInHref ? html`<p class="alt"><a href="${input.signInHref}">I have confirmed my address: sign in</a></p>` : html``}`,
  )
}

/** Asks for a new verification message by address (the way back from email_not_verified). */
export function resendVerificationPage(input: { email: string | null; error: string | null }): Html {
  return layout(
    'Confirm your email address',
    html`<h1>Send the confirmation again</h1>
<p class="lead">Enter your email address and we will send a new link to confirm it.</p>
${alert(input.error)}
<form method="post" action="/ui/verify-email/resend">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${input.email ?? ''}">
<button type="submit">Send the link</button>
</form>`,
  )
}

export function resendRequestedPage(): Html {
  return layout(
    'Check your email',
    html`<h1>Check your email</h1>
<p>If an account with this address is waiting for confirmation, a new message with a link is on its way.</p>`,
  )
}
