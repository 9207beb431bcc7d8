import type { AddressInfo } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface SmtpFixture {
  port: number
  /** Every message accepted, parsed. */
  messages: ParsedMail[]
  /** How many MAIL FROM commands reached the server (a refused STARTTLS must leave this at 0). */
  mailFromCount: () => number
  close(): Promise<void>
}

/**
 * A real SMTP server on loopback (smtp-server), for the tests: it accepts every message and parses
 * it with mailparser. Without `startTls` it does not offer STARTTLS, so a client that requires it
 * must refuse to go on.
 */
export async function startSmtpServer(options: { port?: number; startTls?: boolean } = {}): Promise<SmtpFixture> {
  const messages: ParsedMail[] = []
  let mailFrom = 0
  const server = new SMTPServer({
    disabledCommands: options.startTls ? ['AUTH'] : ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onMailFrom(_address, _session, callback) {
      mailFrom += 1
      callback()
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          messages.push(parsed)
          callback()
        })
        .catch((error: Error) => callback(error))
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const port = (server.server.address() as AddressInfo).port
  return {
    port,
    messages,
    mailFromCount: () => mailFrom,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A loopback port nothing listens on (yet): an SMTP outage. */
export async function freePort(): Promise<number> {
  const fixture = await startSmtpServer()
  await fixture.close()
  return fixture.port
}
