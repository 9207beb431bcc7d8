import { escapeHtml } from '../ui/html.js'

/** What an operator sets to make the messages theirs (docs/email.md, "Branding"). */
export interface EmailBranding {
  productName: string
  /** `#rgb` or `#rrggbb`, checked by the config. */
  color: string
  /** An https image URL, or empty for none. */
  logoUrl: string
  /** Where a worried user can write; empty for none. */
  supportAddress: string
}

/** Every message Tessera sends. Names are stable: they are in the delivery log. */
export const EMAIL_TEMPLATES = [
  'verify_email',
  'password_reset',
  'password_changed',
  'email_change_confirm',
  'email_change_notice',
  'email_changed',
  'sign_up_attempt',
] as const
export type EmailTemplate = (typeof EMAIL_TEMPLATES)[number]

/** A template's variables; links and codes are secrets and live sealed until the message is sent. */
export type EmailVariables = Record<string, string>

interface TemplateText {
  subject: string
  /** Paragraphs, each with `{name}` placeholders. */
  paragraphs: string[]
  /** A call to action: the button's label and the variable holding its URL. */
  action?: { label: string; url: string }
  /** A variable shown as a one-time code. */
  code?: { label: string; variable: string }
}

/** The English catalogue. `{product}` and `{support}` come from the branding. */
const EN: Record<EmailTemplate, TemplateText> = {
  verify_email: {
    subject: 'Confirm your email address for {product}',
    paragraphs: [
      'Confirm that {email} is your address by opening the link below. It works once, for {hours} hours.',
      'If you did not create an account with {product}, ignore this message: nothing happens without the link.',
    ],
    action: { label: 'Confirm my address', url: 'link' },
    code: { label: 'Or enter this code where you signed up (valid for 10 minutes):', variable: 'code' },
  },
  password_reset: {
    subject: 'Reset your {product} password',
    paragraphs: [
      'Someone asked to reset the password of the {product} account for {email}. If it was you, choose a new password with the link below. It works once, for {minutes} minutes.',
      'If it was not you, ignore this message: your password stays as it is.',
    ],
    action: { label: 'Choose a new password', url: 'link' },
  },
  password_changed: {
    subject: 'Your {product} password was changed',
    paragraphs: [
      'The password of the {product} account for {email} was changed, and every device signed in to it was signed out.',
      'If you did not do this, reset your password at once and tell us: {support}.',
    ],
  },
  email_change_confirm: {
    subject: 'Confirm your new email address for {product}',
    paragraphs: [
      'Someone asked to use {email} as the address of a {product} account. If it was you, confirm with the link below. It works once, for {hours} hours.',
      'Until it is confirmed, the account keeps its old address.',
    ],
    action: { label: 'Confirm my new address', url: 'link' },
  },
  email_change_notice: {
    subject: 'A change of email address was requested on your {product} account',
    paragraphs: [
      'Someone signed in to the {product} account for {email} asked to move it to {newEmail}. Nothing changes until the new address is confirmed.',
      'If this was not you, change your password now: that cancels the request and signs every device out. Questions: {support}.',
    ],
  },
  email_changed: {
    subject: 'The email address of your {product} account was changed',
    paragraphs: [
      'The {product} account that used {email} now uses another address.',
      'If you did not do this, tell us at once: {support}.',
    ],
  },
  sign_up_attempt: {
    subject: 'Someone tried to sign up to {product} with your address',
    paragraphs: [
      'Someone tried to create a {product} account with {email}, which already has one. No new account was created.',
      'If it was you, sign in instead, or reset your password if you forgot it. If not, you need do nothing.',
    ],
  },
}

export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

/**
 * Renders one message from the catalogue: a plain-text part and an HTML part from the same text.
 * Every variable is escaped in the HTML (OWASP XSS Prevention rule 1), and a missing variable is
 * an error rather than a blank in a message. CR and LF never reach the subject (no header injection).
 */
export function renderEmail(template: EmailTemplate, variables: EmailVariables, branding: EmailBranding): RenderedEmail {
  const entry = EN[template]
  const values: EmailVariables = {
    product: branding.productName,
    support: branding.supportAddress || 'reply to this message',
    ...variables,
  }
  const fill = (text: string) =>
    text.replace(/\{([a-zA-Z]+)\}/g, (_match, name: string) => {
      const value = values[name]
      if (value === undefined) throw new Error(`email template ${template} needs the variable ${name}`)
      return value
    })
  const subject = fill(entry.subject).replace(/[\r\n]+/g, ' ')
  const paragraphs = entry.paragraphs.map(fill)
  const actionUrl = entry.action ? fill(`{${entry.action.url}}`) : null
  const code = entry.code ? fill(`{${entry.code.variable}}`) : null
  if (actionUrl !== null && !/^https?:\/\//.test(actionUrl)) throw new Error(`email template ${template}: the link is not an http(s) URL`)

  const textParts = [paragraphs[0] as string]
  if (entry.action && actionUrl) textParts.push(`${entry.action.label}:\n${actionUrl}`)
  if (entry.code && code) textParts.push(`${entry.code.label}\n${code}`)
  textParts.push(...paragraphs.slice(1), `— ${branding.productName}`)
  const text = `${textParts.join('\n\n')}\n`

  const e = escapeHtml
  const color = /^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$/.test(branding.color) ? branding.color : '#3b5bdb'
  const logo = /^https:\/\//.test(branding.logoUrl)
    ? `<img src="${e(branding.logoUrl)}" alt="${e(branding.productName)}" height="40" style="display:block;margin:0 0 24px">`
    : `<p style="font-size:20px;font-weight:bold;margin:0 0 24px;color:${color}">${e(branding.productName)}</p>`
  const button =
    entry.action && actionUrl
      ? `<p style="margin:24px 0"><a href="${e(actionUrl)}" style="background:${color};color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${e(entry.action.label)}</a></p>
<p style="font-size:13px;color:#555555">Or copy this address into your browser:<br><span style="word-break:break-all">${e(actionUrl)}</span></p>`
      : ''
  const codeBlock =
    entry.code && code
      ? `<p>${e(entry.code.label)}</p><p style="font-size:28px;letter-spacing:6px;font-weight:bold;font-family:monospace">${e(code)}</p>`
      : ''
  const rest = paragraphs
    .slice(1)
    .map((paragraph) => `<p>${e(paragraph)}</p>`)
    .join('\n')
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f4f5f7;font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#1f2328">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;border-top:4px solid ${color};padding:32px">
${logo}
<p>${e(paragraphs[0] as string)}</p>
${button}${codeBlock}
${rest}
<p style="font-size:13px;color:#555555;margin-top:32px">${e(branding.productName)}</p>
</div>
</body></html>
`
  return { subject, text, html }
}
