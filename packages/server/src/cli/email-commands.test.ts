import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli } from '../../test/cli-harness.js'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { type SmtpFixture, startSmtpServer } from '../../test/smtp-fixture.js'
import { createTessera } from '../app/tessera.js'
import { loadConfig } from '../config/load-config.js'

const PASSWORD = 'correct horse battery staple'

describe('tessera CLI: operator email actions (issue 12 part 7)', () => {
  const fixture = useCliFixture('sqlite')
  const { ok } = fixture
  let smtp: SmtpFixture

  beforeEach(async () => {
    smtp = await startSmtpServer()
    fixture.env = { ...fixture.env, TESSERA_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` }
  })

  afterEach(async () => {
    await smtp.close()
  })

  /** What the server's email loop would send now: one fan-out and delivery pass, as a running server does. */
  async function deliver() {
    const before = smtp.messages.length
    const tessera = await createTessera(loadConfig({ env: fixture.env, overrides: { logLevel: 'silent' } }), {
      passwordEstimator: sharedSourcePasswordEstimator(),
    })
    try {
      await tessera.email.dispatcher?.tick()
    } finally {
      await tessera.close()
    }
    return smtp.messages.slice(before)
  }

  it('creates users without a verification message unless asked, and sends one on request', async () => {
    await ok(['users', 'create', '--email', 'ann@example.com', '--password-stdin'], PASSWORD)
    expect(await deliver()).toHaveLength(0)
    await ok(['users', 'create', '--email', 'bob@example.com', '--password-stdin', '--send-verification'], PASSWORD)
    const [bob] = await deliver()
    expect(bob?.subject).toBe('Confirm your email address for Tessera')

    await ok(['users', 'send-verification', 'ann@example.com'])
    await ok(['users', 'send-reset', 'ann@example.com'])
    const sent = await deliver()
    expect(sent.map((message) => message.subject).sort()).toEqual(['Confirm your email address for Tessera', 'Reset your Tessera password'])

    const verified = await ok(['users', 'verify-email', 'ann@example.com'])
    expect((verified.user as { emailVerified: boolean }).emailVerified).toBe(true)
    const nothing = await cli(fixture.env, ['users', 'send-verification', 'ann@example.com'])
    expect(nothing.stdout).toContain('already verified; nothing sent')
    expect(await deliver()).toHaveLength(0)
  })

  it('lists deliveries newest first, by status, never with a link', async () => {
    await ok(['users', 'create', '--email', 'ann@example.com', '--password-stdin', '--send-verification'], PASSWORD)
    await ok(['users', 'send-reset', 'ann@example.com'])
    await deliver()
    const listed = await ok(['email', 'deliveries'])
    const deliveries = listed.deliveries as { template: string; status: string; recipient: string }[]
    expect(listed.transport).toBe('smtp')
    expect(deliveries.map((each) => each.template).sort()).toEqual(['password_reset', 'verify_email'])
    expect(deliveries.every((each) => each.status === 'sent' && each.recipient === 'ann@example.com')).toBe(true)
    expect(JSON.stringify(listed)).not.toMatch(/token=|\/ui\//)
    expect(((await ok(['email', 'deliveries', '--status', 'failed'])).deliveries as unknown[]).length).toBe(0)
    const page = await ok(['email', 'deliveries', '--limit', '1'])
    expect((page.deliveries as unknown[]).length).toBe(1)
    const rest = await ok(['email', 'deliveries', '--limit', '1', '--cursor', page.next as string])
    expect((rest.deliveries as { id: string }[])[0]?.id).not.toBe((page.deliveries as { id: string }[])[0]?.id)
    expect((await cli(fixture.env, ['email', 'deliveries', '--status', 'lost'])).code).toBe(2)
  })
})
