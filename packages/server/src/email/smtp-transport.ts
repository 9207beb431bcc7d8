import type { Transporter } from 'nodemailer'
import { loadOnce } from '../shared/load-once.js'
import type { EmailDeliveryError } from './email-delivery.js'
import type { EmailTransport, OutgoingEmail, SendOutcome } from './email-transport.js'
import type { SmtpSettings } from './smtp-url.js'

export interface SmtpTransportOptions {
  settings: SmtpSettings
  /** The name this server gives in EHLO: the issuer's host. */
  clientName: string
  /** The host part of Message-IDs. */
  messageIdDomain: string
  timeoutMs: number
}

/**
 * Sends through an SMTP server with nodemailer. Certificates are always verified; `required`
 * STARTTLS refuses to go on (and so to send credentials or the message) when the server does not
 * offer it (RFC 3207 §4, OWASP Transport Layer Security Cheat Sheet).
 */
export function createSmtpTransport(options: SmtpTransportOptions): EmailTransport {
  const { settings } = options
  // nodemailer is loaded with the first message (shared/load-once.ts); `closed` stops a transporter
  // made after close() from ever opening a connection.
  let made: Transporter | undefined
  let closed = false
  const transporter = loadOnce(async () => {
    made = (await import('nodemailer')).createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: !settings.secure && settings.startTls === 'required',
      ignoreTLS: !settings.secure && settings.startTls === 'never',
      ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.pass } } : {}),
      name: options.clientName,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2' },
      logger: false,
      debug: false,
    })
    if (closed) made.close()
    return made
  })
  return {
    kind: 'smtp',
    async send(message: OutgoingEmail): Promise<SendOutcome> {
      try {
        await (await transporter()).sendMail({
          messageId: `<${message.id}@${options.messageIdDomain}>`,
          from: message.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          // Everything is given as data, never as raw headers: nodemailer encodes it (no header injection).
          disableFileAccess: true,
          disableUrlAccess: true,
        })
        return { ok: true }
      } catch (error) {
        return classify(error)
      }
    },
    close: () => {
      closed = true
      made?.close()
    },
  }
}

/** Maps a nodemailer error to a stable delivery error; a 5xx refusal is permanent (RFC 5321 §4.2.1). */
export function classify(error: unknown): { ok: false; error: EmailDeliveryError; permanent: boolean } {
  const e = error as { code?: string; responseCode?: number; permanent?: boolean; originalCode?: string; message?: string }
  const fail = (code: EmailDeliveryError, permanent = false) => ({ ok: false as const, error: code, permanent })
  if (e.code === 'ETLS' && /STARTTLS/i.test(e.message ?? '')) return fail('tls_required')
  if (e.code === 'ETLS') return fail('tls_failed')
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') return fail('auth_failed')
  if (e.code === 'ETIMEDOUT') return fail('timeout')
  if (e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'EDNS') return fail('connect_failed')
  if (typeof e.responseCode === 'number') return e.permanent ? fail('rejected', true) : fail('deferred')
  return fail('send_failed')
}
