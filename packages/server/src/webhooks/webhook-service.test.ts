import { describe, expect, it } from 'vitest'
import { DIALECTS } from '../../test/test-database.js'
import { openWebhookFixture } from '../../test/webhook-fixture.js'
import { isTesseraError } from '../shared/errors.js'
import { presentEndpoint } from './webhook-endpoint.js'

const CLI = { kind: 'cli' } as const
const HOUR = 3600_000

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work
  } catch (error) {
    if (isTesseraError(error)) return error.code
    throw error
  }
  throw new Error('expected a refusal')
}

for (const dialect of DIALECTS) {
  describe(`webhook endpoints on ${dialect}`, () => {
    it('registers an https endpoint and returns its whsec_ secret once; listing never shows it', async () => {
      const fx = await openWebhookFixture(dialect)
      fx.dns.set('hooks.example.com', ['93.184.216.34'])
      const { endpoint, secret } = await fx.service.create(
        { url: 'https://hooks.example.com/tessera', events: ['session.revoked', 'session.revoked', 'user.disabled'] },
        CLI,
      )
      expect(endpoint.id).toMatch(/^ep_[A-Za-z0-9_-]{22}$/)
      expect(secret).toMatch(/^whsec_/)
      expect(endpoint.eventTypes).toEqual(['session.revoked', 'user.disabled'])
      const listed = await fx.service.list()
      expect(listed.map((each) => each.id)).toEqual([endpoint.id])
      const shown = JSON.stringify(listed.map((each) => presentEndpoint(each, fx.clock.now())))
      expect(shown).not.toContain(secret.slice(6))
      expect(shown).not.toContain((listed[0] as { sealedSecret: string }).sealedSecret)
    })

    it('keeps the secret encrypted at rest: the stored row does not contain it', async () => {
      const fx = await openWebhookFixture(dialect)
      const { endpoint, secret } = await fx.service.create({ url: 'https://93.184.216.34/hook', events: ['session.revoked'] }, CLI)
      const stored = JSON.stringify(await fx.stores.webhookEndpoints.findById(endpoint.id))
      expect(stored).not.toContain(secret)
      expect(stored).not.toContain(secret.slice(6))
      expect(stored).not.toContain(Buffer.from(secret.slice(6), 'base64').toString('base64url'))
    })

    it('records who registered, rotated and deleted an endpoint in the event outbox, without the secret', async () => {
      const fx = await openWebhookFixture(dialect)
      const { endpoint, secret } = await fx.service.create(
        { url: 'https://93.184.216.34/hook?token=abc', events: ['session.revoked'] },
        CLI,
      )
      const { secret: rotated } = await fx.service.rotateSecret(endpoint.id, CLI)
      await fx.service.delete(endpoint.id, CLI)
      const events = await fx.stores.events.listAfter(0, 100)
      expect(events.map((event) => event.type)).toEqual(['webhook.created', 'webhook.secret_rotated', 'webhook.deleted'])
      const logged = JSON.stringify(events)
      for (const hidden of [secret, rotated, 'token=abc']) expect(logged).not.toContain(hidden)
    })

    it('refuses unknown or missing event types', async () => {
      const fx = await openWebhookFixture(dialect)
      const url = 'https://93.184.216.34/hook'
      expect(await refusal(fx.service.create({ url, events: ['session.created'] }, CLI))).toBe('invalid_request')
      expect(await refusal(fx.service.create({ url, events: [] }, CLI))).toBe('invalid_request')
    })

    it('accepts subscriptions to user.deleted and user.roles_changed, published once the outbox carries them', async () => {
      const fx = await openWebhookFixture(dialect)
      const { endpoint } = await fx.service.create(
        { url: 'https://93.184.216.34/hook', events: ['user.deleted', 'user.roles_changed'] },
        CLI,
      )
      expect(endpoint.eventTypes).toEqual(['user.deleted', 'user.roles_changed'])
    })

    describe('refuses SSRF targets at registration', () => {
      const cases: [string, string, Record<string, string[]>?][] = [
        ['http://hooks.example.com/', 'webhook_url_invalid', { 'hooks.example.com': ['93.184.216.34'] }],
        ['https://10.1.2.3/', 'webhook_url_forbidden'],
        ['https://192.168.0.10/', 'webhook_url_forbidden'],
        ['https://172.20.0.1/', 'webhook_url_forbidden'],
        ['https://127.0.0.1:8443/', 'webhook_url_forbidden'],
        ['https://[::1]/', 'webhook_url_forbidden'],
        ['https://169.254.169.254/latest/meta-data/', 'webhook_url_forbidden'],
        ['https://[fd00:ec2::254]/', 'webhook_url_forbidden'],
        ['https://100.64.0.1/', 'webhook_url_forbidden'],
        ['https://0.0.0.0/', 'webhook_url_forbidden'],
        ['https://[fe80::1]/', 'webhook_url_forbidden'],
        ['https://localhost/', 'webhook_url_forbidden', { localhost: ['127.0.0.1', '::1'] }],
        ['https://intranet.example.com/', 'webhook_url_forbidden', { 'intranet.example.com': ['10.0.0.7'] }],
        ['https://nowhere.example.com/', 'webhook_url_invalid'],
      ]
      for (const [url, code, dns] of cases) {
        it(`${url} → ${code}`, async () => {
          const fx = await openWebhookFixture(dialect)
          for (const [host, addresses] of Object.entries(dns ?? {})) fx.dns.set(host, addresses)
          expect(await refusal(fx.service.create({ url, events: ['session.revoked'] }, CLI))).toBe(code)
          expect(await fx.service.list()).toEqual([])
        })
      }
    })

    it('allows loopback over http with the development allowance, but never the metadata address', async () => {
      const fx = await openWebhookFixture(dialect)
      const { endpoint } = await fx.service.create(
        { url: 'http://127.0.0.1:9/hook', events: ['session.revoked'], allowInsecureDevelopment: true },
        CLI,
      )
      expect(endpoint.allowInsecureDevelopment).toBe(true)
      const metadata = fx.service.create(
        { url: 'http://169.254.169.254/', events: ['session.revoked'], allowInsecureDevelopment: true },
        CLI,
      )
      expect(await refusal(metadata)).toBe('webhook_url_forbidden')
    })

    it('refuses the development allowance in production, and http there', async () => {
      const fx = await openWebhookFixture(dialect, { production: true })
      const insecure = { url: 'http://127.0.0.1:9/hook', events: ['session.revoked'], allowInsecureDevelopment: true }
      expect(await refusal(fx.service.create(insecure, CLI))).toBe('webhook_url_invalid')
      expect(await refusal(fx.service.create({ ...insecure, allowInsecureDevelopment: false }, CLI))).toBe('webhook_url_invalid')
    })

    it('rotates the secret: the old one keeps signing for the overlap, or stops at once with overlap 0', async () => {
      const fx = await openWebhookFixture(dialect, { rotationOverlapMs: 24 * HOUR })
      const { endpoint } = await fx.service.create({ url: 'https://93.184.216.34/hook', events: ['session.revoked'] }, CLI)
      const rotated = await fx.service.rotateSecret(endpoint.id, CLI)
      expect(rotated.previousSecretExpiresAt).toBe(fx.clock.now() + 24 * HOUR)
      const stored = await fx.service.get(endpoint.id)
      expect(stored.previousSealedSecret).toBe(endpoint.sealedSecret)
      expect(presentEndpoint(stored, fx.clock.now()).previousSecretExpiresAt).toBe(new Date(fx.clock.now() + 24 * HOUR).toISOString())

      const immediate = await fx.service.rotateSecret(endpoint.id, CLI, { overlapMs: 0 })
      expect(immediate.previousSecretExpiresAt).toBeNull()
      expect((await fx.service.get(endpoint.id)).previousSealedSecret).toBeNull()
    })

    it('answers webhook_not_found for an unknown endpoint and webhook_delivery_not_found for an unknown delivery', async () => {
      const fx = await openWebhookFixture(dialect)
      expect(await refusal(fx.service.rotateSecret('ep_missing', CLI))).toBe('webhook_not_found')
      expect(await refusal(fx.service.delete('ep_missing', CLI))).toBe('webhook_not_found')
      expect(await refusal(fx.service.deliveries('ep_missing'))).toBe('webhook_not_found')
      expect(await refusal(fx.service.resend('msg_missing'))).toBe('webhook_delivery_not_found')
    })

    it('delivers only events that happen after registration', async () => {
      const fx = await openWebhookFixture(dialect)
      await fx.emit({ type: 'session.revoked', userId: 'usr_1', payload: { sessionId: 'before', reason: 'sign_out' } })
      const { endpoint } = await fx.service.create({ url: 'https://93.184.216.34/hook', events: ['session.revoked'] }, CLI)
      await fx.emit({ type: 'session.revoked', userId: 'usr_1', payload: { sessionId: 'after', reason: 'sign_out' } })
      await fx.dispatcher.fanOut()
      const deliveries = await fx.service.deliveries(endpoint.id)
      expect(deliveries.map((delivery) => JSON.parse(delivery.payload).data.sessionId)).toEqual(['after'])
    })
  })
}
