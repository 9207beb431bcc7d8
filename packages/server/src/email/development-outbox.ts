import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { loadOnce } from '../shared/load-once.js'
import type { EmailTransport, OutgoingEmail, SendOutcome } from './email-transport.js'

export interface DevelopmentOutboxOptions {
  /** `<dataDir>/outbox`. */
  dir: string
  messageIdDomain: string
  /** The one line per message the issue asks for: recipient, subject and link. */
  log: (fields: { to: string; subject: string; link: string | null; file: string }) => void
}

/**
 * The development outbox: with no SMTP server configured, each message becomes one `.eml` file
 * (RFC 5322, the same bytes SMTP would carry) and one log line with its link, so a person running
 * `npm start` can follow every flow. Production never uses it: there, flows that need email refuse
 * to start without SMTP. The files hold live links, so only the owner may read them.
 */
export function createDevelopmentOutbox(options: DevelopmentOutboxOptions): EmailTransport {
  // nodemailer composes the .eml; loaded with the first message, so an idle server never holds it.
  const composer = loadOnce(async () =>
    (await import('nodemailer')).createTransport({ streamTransport: true, buffer: true, newline: 'windows' }),
  )
  return {
    kind: 'development_outbox',
    async send(message: OutgoingEmail): Promise<SendOutcome> {
      let raw: Buffer
      try {
        const info = await (await composer()).sendMail({
          messageId: `<${message.id}@${options.messageIdDomain}>`,
          from: message.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          disableFileAccess: true,
          disableUrlAccess: true,
        })
        raw = info.message as Buffer
      } catch {
        return { ok: false, error: 'send_failed', permanent: false }
      }
      const file = join(options.dir, `${message.id}.eml`)
      try {
        mkdirSync(options.dir, { recursive: true, mode: 0o700 })
        writeFileSync(file, raw, { mode: 0o600 })
      } catch {
        return { ok: false, error: 'outbox_write_failed', permanent: false }
      }
      options.log({ to: message.to, subject: message.subject, link: message.link, file })
      return { ok: true }
    },
    // The stream transport only composes bytes: it holds no connection or timer to release.
    close: () => {},
  }
}
