/**
 * English: the reference catalogue. Every key here must be in every other catalogue (the type
 * `Catalogue` makes the compiler check it). Messages are ICU MessageFormat: `{name}` interpolates,
 * `{n, plural, one {…} other {…}}` picks a plural form, `<b>…</b>` marks strong text on pages.
 * Write apostrophes as ’ (a plain ' quotes ICU syntax).
 */
export const en = {
  'page.titleSuffix': '{title} · {product}',

  // Sign-in and sign-up (flows/login-routes.ts)
  'signIn.title': 'Sign in',
  'signIn.lead': 'to continue to <b>{app}</b>',
  'field.email': 'Email',
  'field.password': 'Password',
  'field.newPassword': 'New password',
  'field.currentPassword': 'Current password',
  'signIn.submit': 'Sign in',
  'signIn.forgot': 'Forgot your password?',
  'signIn.createAccount': 'Create an account',
  'signIn.resendVerification': 'Send the confirmation link again',
  'signUp.title': 'Create an account',
  'signUp.passwordHint': 'At least {min} characters. A long phrase is best.',
  'signUp.submit': 'Create account',
  'signUp.haveAccount': 'I already have an account',

  // Second factor (issue 13)
  'secondFactor.title': 'Two-step verification',
  'secondFactor.totpLabel': 'Code from your authenticator app',
  'secondFactor.verify': 'Verify',
  'secondFactor.recoveryLabel': 'Or a recovery code',
  'secondFactor.useRecovery': 'Use a recovery code',

  // Consent
  'consent.title': 'Allow access',
  'consent.heading': 'Allow {app}?',
  'consent.lead': 'Signed in as <b>{email}</b>. <b>{app}</b> asks to:',
  'consent.allow': 'Allow',
  'consent.deny': 'Deny',
  'scope.openid': 'Know who you are (your user id)',
  'scope.profile': 'See your basic profile',
  'scope.email': 'See your email address',
  'scope.offline_access': 'Stay signed in when you are not using it',
  'scope.other': 'Use the permission “{scope}”',

  // Errors, sign-out
  'error.title': 'Something went wrong',
  'error.back': 'Go back to the application and try again.',
  'signedOut.title': 'Signed out',
  'signedOut.heading': 'You are signed out',
  'page.closeWindow': 'You can close this window.',
  'logout.title': 'Sign out',
  'logout.heading': 'Sign out of {product}?',
  'logout.body': 'This signs you out of every application that uses this {product} account in this browser.',
  'logout.submit': 'Sign out',

  // What pages say for the errors a person can meet (shared/errors.ts codes)
  'error.csrf_rejected': 'This form was sent from another site and was refused.',
  'error.unknown_client': 'The application is not registered with this server.',
  'error.redirect_uri_mismatch': 'The application sent an address to return to that it has not registered.',
  'error.invalid_request': 'The request is not valid.',
  'error.flow_expired': 'This sign-in request has expired or was started in another browser. Go back to the application and try again.',
  'error.csrf_token_invalid': 'This form has expired. Go back to the application and try again.',
  'error.duplicate_session_cookie':
    'Your browser sent two session cookies for this site, so neither can be trusted. Clear the cookies of this site and try again.',
  'error.invalid_email': 'That is not an email address.',
  'error.invalid_credentials': 'The email address or password is wrong.',
  'error.too_many_attempts': 'Too many failed attempts. Try again later.',
  'error.rate_limited': 'Too many requests. Wait a while and try again.',
  'error.user_disabled': 'This account is disabled.',
  'error.email_taken': 'An account with this email address already exists.',
  'error.email_not_verified': 'Confirm your email address first: open the link in the message we sent you, or ask for a new one.',
  'error.email_unavailable': 'This server cannot send email at the moment.',
  'error.password_too_short': 'The password is too short.',
  'error.password_too_long': 'The password is too long.',
  'error.password_too_common': 'This password is too easy to guess. Choose another.',
  'error.invalid_mfa_code': 'The code is wrong, expired or already used.',
  'error.reauthentication_required': 'Enter your current password: changing it needs a sign-in within the last few minutes.',
  'error.verification_code_invalid': 'The code is wrong or has expired.',
  'error.verification_code_exhausted': 'Too many wrong codes. Ask for a new message.',
  'error.account_token_invalid': 'This link is not valid. Copy the whole link from the message, or ask for a new one.',
  'error.account_token_expired': 'This link has expired. Ask for a new one.',
  'error.account_token_used': 'This link has been used already, or a newer one was sent. Ask for a new one if you need it.',
  'error.logoutInvalid': 'The sign-out request is not valid. You have not been signed out.',
  'error.session_not_found': 'That session is no longer active.',

  // Account pages behind the links in messages (accounts/account-page-routes.ts)
  'forgot.title': 'Forgot your password?',
  'forgot.lead': 'Enter your email address and we will send you a link to choose a new password.',
  'forgot.submit': 'Send the link',
  'checkEmail.title': 'Check your email',
  'resetRequested.body':
    'If an account uses this address, a message with a link to choose a new password is on its way. The link works once, for {minutes, plural, one {# minute} other {# minutes}}.',
  'reset.title': 'Choose a new password',
  'reset.submit': 'Set the new password',
  'resetDone.title': 'Password changed',
  'resetDone.heading': 'Your password was changed',
  'resetDone.body':
    'Every device that was signed in to your account has been signed out. Go back to the application and sign in with your new password.',
  'verify.title': 'Confirm your email address',
  'verify.submit': 'Confirm my address',
  'verified.title': 'Address confirmed',
  'verified.body': '<b>{email}</b> is confirmed.',
  'linkError.title': 'This link cannot be used',
  'linkError.newReset': 'Ask for a new password link',
  'checkEmail.signUpBody': 'A message is on its way to the address you entered. Open the link in it to confirm your address, then sign in.',
  'checkEmail.resend': 'No message? Send it again',
  'checkEmail.signIn': 'I have confirmed my address: sign in',
  'resend.title': 'Send the confirmation again',
  'resend.lead': 'Enter your email address and we will send a new link to confirm it.',
  'resend.body': 'If an account with this address is waiting for confirmation, a new message with a link is on its way.',

  // Messages (email/email-templates.ts). {product} and {support} come from the branding.
  'email.supportFallback': 'reply to this message',
  'email.copyLink': 'Or copy this address into your browser:',
  'email.verify_email.subject': 'Confirm your email address for {product}',
  'email.verify_email.p1':
    'Confirm that {email} is your address by opening the link below. It works once, for {hours, plural, one {# hour} other {# hours}}.',
  'email.verify_email.p2': 'If you did not create an account with {product}, ignore this message: nothing happens without the link.',
  'email.verify_email.action': 'Confirm my address',
  'email.verify_email.code': 'Or enter this code where you signed up (valid for 10 minutes):',
  'email.password_reset.subject': 'Reset your {product} password',
  'email.password_reset.p1':
    'Someone asked to reset the password of the {product} account for {email}. If it was you, choose a new password with the link below. It works once, for {minutes, plural, one {# minute} other {# minutes}}.',
  'email.password_reset.p2': 'If it was not you, ignore this message: your password stays as it is.',
  'email.password_reset.action': 'Choose a new password',
  'email.password_changed.subject': 'Your {product} password was changed',
  'email.password_changed.p1':
    'The password of the {product} account for {email} was changed, and every device signed in to it was signed out.',
  'email.password_changed.p2': 'If you did not do this, reset your password at once and tell us: {support}.',
  'email.email_change_confirm.subject': 'Confirm your new email address for {product}',
  'email.email_change_confirm.p1':
    'Someone asked to use {email} as the address of a {product} account. If it was you, confirm with the link below. It works once, for {hours, plural, one {# hour} other {# hours}}.',
  'email.email_change_confirm.p2': 'Until it is confirmed, the account keeps its old address.',
  'email.email_change_confirm.action': 'Confirm my new address',
  'email.email_change_notice.subject': 'A change of email address was requested on your {product} account',
  'email.email_change_notice.p1':
    'Someone signed in to the {product} account for {email} asked to move it to {newEmail}. Nothing changes until the new address is confirmed.',
  'email.email_change_notice.p2':
    'If this was not you, change your password now: that cancels the request and signs every device out. Questions: {support}.',
  'email.email_changed.subject': 'The email address of your {product} account was changed',
  'email.email_changed.p1': 'The {product} account that used {email} now uses another address.',
  'email.email_changed.p2': 'If you did not do this, tell us at once: {support}.',
  'email.sign_up_attempt.subject': 'Someone tried to sign up to {product} with your address',
  'email.sign_up_attempt.p1':
    'Someone tried to create a {product} account with {email}, which already has one. No new account was created.',
  'email.sign_up_attempt.p2': 'If it was you, sign in instead, or reset your password if you forgot it. If not, you need do nothing.',
} as const
