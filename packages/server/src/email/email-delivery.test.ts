import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import { describe, expect, it, onTestFinished } from 'vitest'
import { adminHarness } from '../../test/admin-client.js'
import { freePort, startSmtpServer } from '../../test/smtp-fixture.js'
import { DIALECTS, testTempDir } from '../../test/test-database.js'
import { createTestServer, type TestServer, type TestServerOptions } from '../../test/test-server.js'
import type { DialectName } from '../store/open-database.js'

const CLI = { kind: 'cli' } as const
const NEW_PASSWORD = 'a brand new passphrase'

async function serve(dialect: DialectName, options: Omit<TestServerOptions, 'dialect'> = {}): Promise<TestServer> {
  const server = await createTestServer({ dialect, ...options })
  onTestFinished(() => server.close())
  return server
}

/** An operator sets a user's password: the owner must hear of it by email. */
async function operatorReset(server: TestServer, email = 'ann@example.com'): Promise<string> {
  const user = await server.tessera.services.users.create({ email, password: 'correct horse battery staple' }, CLI)
  // Verified before fan-out, so sign-up's verification message is not composed: one message per test.
  await server.tessera.services.accounts.verification.markVerified(user.id, CLI)
  await server.tessera.services.users.resetPassword(user.id, NEW_PASSWORD, CLI)
  return user.id
}

function dispatcher(server: TestServer) {
  const { dispatcher } = server.tessera.email
  if (!dispatcher) throw new Error('email is not configured')
  return dispatcher
}

for (const dialect of DIALECTS) {
  describe(`email delivery over SMTP on ${dialect}`, () => {
    it('sends a message with a plain-text and an HTML part, branded, with a stable Message-ID', async () => {
      const smtp = await startSmtpServer()
      onTestFinished(() => smtp.close())
      const server = await serve(dialect, {
        config: {
          email: {
            smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
            from: 'accounts@example.test',
            productName: 'Acme ID',
            brandColor: '#ff6600',
            logoUrl: 'https://cdn.example.test/logo.png',
            supportAddress: 'help@example.test',
          },
        },
      })
      const userId = await operatorReset(server)

      expect(await dispatcher(server).tick()).toMatchObject({ enqueued: 1, attempted: 1, sent: 1, failed: 0 })
      expect(smtp.messages).toHaveLength(1)
      const message = smtp.messages[0]
      if (!message) throw new Error('no message')
      expect(message.to && !Array.isArray(message.to) ? message.to.text : '').toBe('ann@example.com')
      expect(message.from?.value[0]).toEqual({ address: 'accounts@example.test', name: 'Acme ID' })
      expect(message.subject).toBe('Your Acme ID password was changed')
      expect(message.text).toContain('help@example.test')
      expect(message.html).toContain('https://cdn.example.test/logo.png')
      expect(message.html).toContain('#ff6600')
      expect(message.messageId).toMatch(/^<eml_[A-Za-z0-9_-]{22}@id\.example\.test>$/)

      // The delivery log says it went, and holds nothing to send any more.
      const [delivery] = (await server.tessera.email.service.list({ limit: 10 })).deliveries
      expect(delivery).toMatchObject({ status: 'sent', attempts: 1, userId, template: 'password_changed', sealedVariables: null })
      expect(message.messageId).toBe(`<${delivery?.id}@id.example.test>`)
      // Nothing more to do: one message, once.
      expect(await dispatcher(server).tick()).toMatchObject({ enqueued: 0, attempted: 0 })
      expect(smtp.messages).toHaveLength(1)
    })

    it('retries through an SMTP outage with back-off, and delivers exactly once when the server is back', async () => {
      const port = await freePort()
      const server = await serve(dialect, { config: { email: { smtpUrl: `smtp://127.0.0.1:${port}` } } })
      await operatorReset(server)

      expect(await dispatcher(server).tick()).toMatchObject({ enqueued: 1, attempted: 1, sent: 0, failed: 1 })
      const [pending] = (await server.tessera.email.service.list({ limit: 10 })).deliveries
      expect(pending).toMatchObject({ status: 'pending', attempts: 1, lastError: 'connect_failed' })
      const firstRetry = (pending?.nextAttemptAt as number) - server.clock.now()
      expect(firstRetry).toBeGreaterThanOrEqual(30_000)
      expect(firstRetry).toBeLessThanOrEqual(37_500)

      // Still down at the first retry: the next delay doubles.
      server.clock.advance(firstRetry)
      expect(await dispatcher(server).tick()).toMatchObject({ attempted: 1, failed: 1 })
      const second = await server.tessera.email.service.get(pending?.id as string)
      expect(second.attempts).toBe(2)
      expect((second.nextAttemptAt as number) - server.clock.now()).toBeGreaterThanOrEqual(60_000)

      const smtp = await startSmtpServer({ port })
      onTestFinished(() => smtp.close())
      // Back up, but the retry is not due yet: nothing is sent early.
      expect(await dispatcher(server).tick()).toMatchObject({ attempted: 0 })
      server.clock.advance(76_000)
      expect(await dispatcher(server).tick()).toMatchObject({ attempted: 1, sent: 1 })
      server.clock.advance(3600_000)
      expect(await dispatcher(server).tick()).toMatchObject({ attempted: 0 })
      expect(smtp.messages).toHaveLength(1)
      expect(await server.tessera.email.service.get(pending?.id as string)).toMatchObject({ status: 'sent', attempts: 3, lastError: null })
    })

    it('refuses to send when STARTTLS is required and the server does not offer it: no MAIL FROM, no message', async () => {
      const smtp = await startSmtpServer({ startTls: false })
      onTestFinished(() => smtp.close())
      const server = await serve(dialect, { config: { email: { smtpUrl: `smtp://127.0.0.1:${smtp.port}?starttls=required` } } })
      await operatorReset(server)

      expect(await dispatcher(server).tick()).toMatchObject({ attempted: 1, sent: 0, failed: 1 })
      expect(smtp.mailFromCount()).toBe(0)
      expect(smtp.messages).toHaveLength(0)
      const [delivery] = (await server.tessera.email.service.list({ limit: 10 })).deliveries
      expect(delivery).toMatchObject({ status: 'pending', lastError: 'tls_required' })
    })
  })
}

describe('the development outbox', () => {
  it('writes one .eml file per message under <dataDir>/outbox and logs one line with recipient and subject', async () => {
    const dataDir = testTempDir('tessera-outbox-')
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }))
    const logLines: string[] = []
    const server = await serve('sqlite', { config: { dataDir }, logLines })
    expect(server.tessera.email.transport).toBe('development_outbox')
    await operatorReset(server)

    expect(await dispatcher(server).tick()).toMatchObject({ sent: 1 })
    const outbox = join(dataDir, 'outbox')
    const files = readdirSync(outbox)
    expect(files).toHaveLength(1)
    expect(statSync(join(outbox, files[0] as string)).mode & 0o077).toBe(0)
    const parsed = await simpleParser(readFileSync(join(outbox, files[0] as string)))
    expect(parsed.subject).toBe('Your Tessera password was changed')
    expect(parsed.text).toContain('ann@example.com')
    expect(parsed.html).toContain('<!doctype html>')
    const lines = logLines.map((line) => JSON.parse(line) as { msg: string; outbox?: Record<string, unknown> })
    const outboxLines = lines.filter((line) => line.outbox)
    expect(outboxLines).toHaveLength(1)
    expect(outboxLines[0]?.outbox).toMatchObject({ to: 'ann@example.com', subject: 'Your Tessera password was changed', link: null })
  })

  it('is never used in production: without SMTP nothing is sent and email is unavailable', async () => {
    const dataDir = testTempDir('tessera-outbox-')
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }))
    const server = await serve('sqlite', { config: { env: 'production', dataDir } })
    expect(server.tessera.email.dispatcher).toBeNull()
    expect(server.tessera.email.service.available).toBe(false)
    expect(() => server.tessera.email.service.requireAvailable()).toThrow(expect.objectContaining({ code: 'email_unavailable' }))
    await operatorReset(server)
    expect(existsSync(join(dataDir, 'outbox'))).toBe(false)
  })
})

describe('delivery state for operators', () => {
  it('lists deliveries in the admin API, newest first, with status and no link or variables', async ({ onTestFinished }) => {
    const port = await freePort()
    const admin = await adminHarness(onTestFinished, 'sqlite', { email: { smtpUrl: `smtp://127.0.0.1:${port}` } })
    const server = admin.server
    await operatorReset(server, 'ann@example.com')
    await operatorReset(server, 'bob@example.com')
    await dispatcher(server).tick()

    const response = await admin.call('GET', '/email/deliveries?limit=1')
    expect(response.statusCode, response.body).toBe(200)
    const page = response.json()
    expect(page.transport).toBe('smtp')
    expect(page.deliveries).toHaveLength(1)
    expect(page.deliveries[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: 'connect_failed', template: 'password_changed' })
    expect(Object.keys(page.deliveries[0])).not.toContain('sealedVariables')
    const next = await admin.call('GET', `/email/deliveries?limit=1&cursor=${encodeURIComponent(page.nextCursor)}`)
    expect(next.json().deliveries).toHaveLength(1)
    expect(next.json().nextCursor).toBeNull()
    const recipients = [page.deliveries[0].recipient, next.json().deliveries[0].recipient].sort()
    expect(recipients).toEqual(['ann@example.com', 'bob@example.com'])

    const one = await admin.call('GET', `/email/deliveries/${page.deliveries[0].id}`)
    expect(one.json().delivery.id).toBe(page.deliveries[0].id)
    expect((await admin.call('GET', '/email/deliveries/eml_AAAAAAAAAAAAAAAAAAAAAA')).statusCode).toBe(404)
    expect((await admin.call('GET', '/email/deliveries?status=sent')).json().deliveries).toEqual([])
    expect((await admin.call('GET', '/email/deliveries?cursor=garbage')).json().code).toBe('invalid_cursor')
  })
})
