import type { ParsedMail } from 'mailparser'
import { onTestFinished } from 'vitest'
import type { DialectName } from '../src/store/open-database.js'
import { type SmtpFixture, startSmtpServer } from './smtp-fixture.js'
import { createTestServer, type TestServer, type TestServerOptions } from './test-server.js'

export interface MailServer {
  server: TestServer
  smtp: SmtpFixture
  /** Runs email fan-out and delivery once, and returns the messages that arrived meanwhile. */
  deliver(): Promise<ParsedMail[]>
}

/** A test server that sends through a real SMTP server on loopback, both closed when the test ends. */
export async function mailServer(dialect: DialectName, options: Omit<TestServerOptions, 'dialect'> = {}): Promise<MailServer> {
  const smtp = await startSmtpServer()
  onTestFinished(() => smtp.close())
  const server = await createTestServer({
    dialect,
    ...options,
    config: { ...options.config, email: { smtpUrl: `smtp://127.0.0.1:${smtp.port}`, ...options.config?.email } },
  })
  onTestFinished(() => server.close())
  return {
    server,
    smtp,
    async deliver() {
      const before = smtp.messages.length
      const dispatcher = server.tessera.email.dispatcher
      if (!dispatcher) throw new Error('email is not configured')
      await dispatcher.tick()
      return smtp.messages.slice(before)
    },
  }
}

/** The one link of a message (built from the issuer), or a failure. */
export function linkIn(message: ParsedMail | undefined): string {
  const match = /https:\/\/id\.example\.test\/ui\/[a-z-]+\?token=[A-Za-z0-9_.-]+/.exec(message?.text ?? '')
  if (!match) throw new Error(`no link in: ${message?.text}`)
  return match[0]
}

export function tokenIn(message: ParsedMail | undefined): string {
  return new URL(linkIn(message)).searchParams.get('token') as string
}

/** The 6-digit code of a verification message. */
export function codeIn(message: ParsedMail | undefined): string {
  const match = /\n(\d{6})\n/.exec(message?.text ?? '')
  if (!match) throw new Error('no code in the message')
  return match[1] as string
}

export function recipient(message: ParsedMail | undefined): string {
  const to = message?.to
  return to && !Array.isArray(to) ? to.text : ''
}
