import { isLocale } from '../i18n/catalogues.js'
import { createTranslator } from '../i18n/translator.js'
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

/**
 * The shape of each message; its words are in the catalogues (i18n/catalogues/, keys
 * `email.<template>.subject`, `.p1`, `.p2`, `.action`, `.code`), in every language.
 */
interface TemplateShape {
  /** The variable holding the call to action's URL, if the message has one. */
  action?: string
  /** The variable shown as a one-time code, if any. */
  code?: string
}

const SHAPES: Record<EmailTemplate, TemplateShape> = {
  verify_email: { action: 'link', code: 'code' },
  password_reset: { action: 'link', code: 'code' },
  password_changed: {},
  email_change_confirm: { action: 'link' },
  email_change_notice: {},
  email_changed: {},
  sign_up_attempt: {},
}

/** Variables that are counts, for plural rules ("1 hour", "24 hours"). */
const COUNTS = new Set(['hours', 'minutes'])

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
  const shape = SHAPES[template]
  // The language the composer chose (the request's, else the configured default): variables.locale.
  const t = createTranslator(isLocale(variables.locale) ? variables.locale : 'en')
  const values: Record<string, string | number> = {
    product: branding.productName,
    support: branding.supportAddress || t.t('email.supportFallback'),
  }
  for (const [name, value] of Object.entries(variables)) values[name] = COUNTS.has(name) && /^\d+$/.test(value) ? Number(value) : value
  const message = (part: string): string => {
    const key = `email.${template}.${part}`
    if (!t.has(key)) throw new Error(`email template ${template} has no ${part}`)
    // intl-messageformat throws on a missing variable: an error rather than a blank in a message.
    return t.t(key, values)
  }
  const variable = (name: string): string => {
    const value = variables[name]
    if (value === undefined) throw new Error(`email template ${template} needs the variable ${name}`)
    return value
  }
  const subject = message('subject').replace(/[\r\n]+/g, ' ')
  const paragraphs = [message('p1'), message('p2')]
  const actionUrl = shape.action ? variable(shape.action) : null
  const actionLabel = shape.action ? message('action') : null
  const code = shape.code ? variable(shape.code) : null
  const codeLabel = shape.code ? message('code') : null
  if (actionUrl !== null && !/^https?:\/\//.test(actionUrl)) throw new Error(`email template ${template}: the link is not an http(s) URL`)

  const textParts = [paragraphs[0] as string]
  if (actionLabel && actionUrl) textParts.push(`${actionLabel}:\n${actionUrl}`)
  if (codeLabel && code) textParts.push(`${codeLabel}\n${code}`)
  textParts.push(...paragraphs.slice(1), `— ${branding.productName}`)
  const text = `${textParts.join('\n\n')}\n`

  const e = escapeHtml
  const color = /^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$/.test(branding.color) ? branding.color : '#3b5bdb'
  const logo = /^https:\/\//.test(branding.logoUrl)
    ? `<img src="${e(branding.logoUrl)}" alt="${e(branding.productName)}" height="40" style="display:block;margin:0 0 24px">`
    : `<p style="font-size:20px;font-weight:bold;margin:0 0 24px;color:${color}">${e(branding.productName)}</p>`
  const button =
    actionLabel && actionUrl
      ? `<p style="margin:24px 0"><a href="${e(actionUrl)}" style="background:${color};color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${e(actionLabel)}</a></p>
<p style="font-size:13px;color:#555555">${e(t.t('email.copyLink'))}<br><span style="word-break:break-all">${e(actionUrl)}</span></p>`
      : ''
  const codeBlock =
    codeLabel && code
      ? `<p>${e(codeLabel)}</p><p style="font-size:28px;letter-spacing:6px;font-weight:bold;font-family:monospace">${e(code)}</p>`
      : ''
  const rest = paragraphs
    .slice(1)
    .map((paragraph) => `<p>${e(paragraph)}</p>`)
    .join('\n')
  const html = `<!doctype html>
<html lang="${t.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(subject)}</title></head>
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
