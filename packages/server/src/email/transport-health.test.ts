import { describe, expect, it, onTestFinished } from 'vitest'
import { freePort, startSmtpServer } from '../../test/smtp-fixture.js'
import { createTestServer } from '../../test/test-server.js'
import { createTransportHealth, type TransportHealthChange } from './transport-health.js'

describe('telling the operator about a mail outage once (issue 12 part 7)', () => {
  it('reports the first failure of an outage and the first success after it, nothing in between', () => {
    const changes: TransportHealthChange[] = []
    const health = createTransportHealth((change) => changes.push(change))
    health.observe({ ok: true }, 0)
    health.observe({ ok: false, error: 'rejected' }, 1) // one refused message is not an outage
    expect(changes).toEqual([])
    health.observe({ ok: false, error: 'connect_failed' }, 10)
    health.observe({ ok: false, error: 'connect_failed' }, 20)
    health.observe({ ok: false, error: 'timeout' }, 30)
    health.observe({ ok: true }, 100)
    health.observe({ ok: true }, 110)
    expect(changes).toEqual([
      { state: 'down', error: 'connect_failed' },
      { state: 'up', failedAttempts: 3, downForMs: 90 },
    ])
  })

  it('logs one warning for an SMTP server down through many attempts, and one line when it is back', async () => {
    const port = await freePort()
    const lines: string[] = []
    const server = await createTestServer({ logLines: lines, config: { email: { smtpUrl: `smtp://127.0.0.1:${port}` } } })
    onTestFinished(() => server.close())
    const { users } = server.tessera.services
    for (const email of ['ann@example.com', 'bob@example.com', 'cy@example.com']) {
      await users.create({ email, password: 'correct horse battery staple' }, { kind: 'cli' }, { sendVerification: true })
    }
    const dispatcher = server.tessera.email.dispatcher
    if (!dispatcher) throw new Error('email is not configured')
    const logged = (code: string) => lines.filter((line) => line.includes(`"code":"${code}"`))

    expect(await dispatcher.tick()).toMatchObject({ attempted: 3, failed: 3 })
    for (let round = 0; round < 3; round += 1) {
      server.clock.advance(3600_000)
      expect(await dispatcher.tick()).toMatchObject({ attempted: 3, failed: 3 })
    }
    expect(logged('email_transport_down')).toHaveLength(1)
    expect(logged('email_transport_down')[0]).toContain('"error":"connect_failed"')

    const smtp = await startSmtpServer({ port })
    onTestFinished(() => smtp.close())
    server.clock.advance(3600_000)
    expect(await dispatcher.tick()).toMatchObject({ sent: 3 })
    expect(logged('email_transport_down')).toHaveLength(1)
    expect(logged('email_transport_up')).toHaveLength(1)
    expect(logged('email_transport_up')[0]).toContain('"failedAttempts":12')
    // No address, link or secret in those lines.
    expect([...logged('email_transport_down'), ...logged('email_transport_up')].join('\n')).not.toMatch(/@example\.com|token=/)
  })
})
