import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { useCliFixture } from '../../test/cli-fixture.js'
import { cli, jsonErrorCode as errorCode, oneJsonObject as json } from '../../test/cli-harness.js'
import { sharedSourcePasswordEstimator } from '../../test/password-estimator.js'
import { DIALECTS } from '../../test/test-database.js'
import { receiverForTest } from '../../test/webhook-fixture.js'
import { createTessera } from '../app/tessera.js'
import { loadConfig } from '../config/load-config.js'

interface Endpoint {
  id: string
  url: string
  events: string[]
  previousSecretExpiresAt: string | null
}

interface Delivery {
  id: string
  eventType: string
  status: string
  attempts: number
  lastResponseCode: number | null
}

for (const dialect of DIALECTS) {
  describe(`tessera webhooks commands on ${dialect}`, () => {
    const fixture = useCliFixture(dialect, 'tessera-cli-webhooks-')

    async function create(...argv: string[]): Promise<{ endpoint: Endpoint; secret: string }> {
      const result = await cli(fixture.env, ['webhooks', 'create', ...argv, '--json'])
      expect(result.code, result.stderr).toBe(0)
      return json(result.stdout) as { endpoint: Endpoint; secret: string }
    }

    /** Runs the dispatcher once, as the server's background loop would, on the CLI's database and master key. */
    async function dispatchOnce(): Promise<void> {
      const tessera = await createTessera(loadConfig({ env: fixture.env, overrides: { logLevel: 'silent' } }), {
        passwordEstimator: sharedSourcePasswordEstimator(),
      })
      try {
        await tessera.webhooks.dispatcher.tick()
      } finally {
        await tessera.close()
      }
    }

    it('creates an endpoint, printing its whsec_ secret once; list never prints it', async () => {
      const { endpoint, secret } = await create('--url', 'https://93.184.216.34/hooks', '--events', 'session.revoked, user.disabled')
      expect(secret).toMatch(/^whsec_/)
      expect(endpoint).toMatchObject({ url: 'https://93.184.216.34/hooks', events: ['session.revoked', 'user.disabled'] })

      const listed = await cli(fixture.env, ['webhooks', 'list', '--json'])
      expect(listed.code).toBe(0)
      expect((json(listed.stdout).endpoints as Endpoint[]).map((each) => each.id)).toEqual([endpoint.id])
      expect(listed.stdout).not.toContain(secret.slice(6))

      const human = await cli(fixture.env, ['webhooks', 'list'])
      expect(human.stdout).toContain(endpoint.id)
      expect(human.stdout).not.toContain('whsec_')
    })

    it('prints the secret in the human output with a warning that it is shown once', async () => {
      const result = await cli(fixture.env, ['webhooks', 'create', '--url', 'https://93.184.216.34/', '--events', 'session.revoked'])
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/secret: whsec_\S+\n\(shown once/)
    })

    it('refuses SSRF targets and bad input with stable codes', async () => {
      const refuse = async (argv: string[]) => errorCode(await cli(fixture.env, ['webhooks', 'create', ...argv, '--json']))
      expect(await refuse(['--url', 'https://10.0.0.1/', '--events', 'session.revoked'])).toBe('webhook_url_forbidden')
      expect(await refuse(['--url', 'https://169.254.169.254/', '--events', 'session.revoked'])).toBe('webhook_url_forbidden')
      expect(await refuse(['--url', 'https://127.0.0.1/', '--events', 'session.revoked'])).toBe('webhook_url_forbidden')
      expect(await refuse(['--url', 'http://93.184.216.34/', '--events', 'session.revoked'])).toBe('webhook_url_invalid')
      expect(await refuse(['--url', 'https://93.184.216.34/', '--events', 'session.created'])).toBe('invalid_request')
      expect(await refuse(['--url', 'https://93.184.216.34/'])).toBe('usage')
      expect((await cli(fixture.env, ['webhooks', 'list', '--json'])).stdout).toBe('{"endpoints":[]}\n')
    })

    it('refuses the development allowance in production', async () => {
      fixture.env = {
        ...fixture.env,
        TESSERA_ENV: 'production',
        TESSERA_ISSUER: 'https://id.example.com',
        TESSERA_MASTER_KEY: 'A'.repeat(43),
      }
      const result = await cli(fixture.env, [
        'webhooks',
        'create',
        '--url',
        'http://127.0.0.1:9/',
        '--events',
        'session.revoked',
        '--allow-insecure-development',
        '--json',
      ])
      expect(result.code).toBe(1)
      expect(errorCode(result)).toBe('webhook_url_invalid')
    })

    it('rotates a secret, with the configured overlap or none', async () => {
      const { endpoint, secret } = await create('--url', 'https://93.184.216.34/', '--events', 'session.revoked')
      const rotated = await cli(fixture.env, ['webhooks', 'rotate-secret', endpoint.id, '--json'])
      expect(rotated.code, rotated.stderr).toBe(0)
      const body = json(rotated.stdout) as { secret: string; previousSecretExpiresAt: string }
      expect(body.secret).toMatch(/^whsec_/)
      expect(body.secret).not.toBe(secret)
      expect(Date.parse(body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000)

      const immediate = await cli(fixture.env, ['webhooks', 'rotate-secret', endpoint.id, '--overlap', '0', '--json'])
      expect(json(immediate.stdout)).toMatchObject({ previousSecretExpiresAt: null })
      expect((await cli(fixture.env, ['webhooks', 'rotate-secret', endpoint.id, '--overlap', 'soon'])).code).toBe(2)
      expect(errorCode(await cli(fixture.env, ['webhooks', 'rotate-secret', 'ep_nope', '--json']))).toBe('webhook_not_found')
    })

    it('shows the delivery log and resends a delivery with the same webhook-id', async () => {
      const receiver = await receiverForTest()
      const { endpoint, secret } = await create(
        '--url',
        `${receiver.origin}/hook`,
        '--events',
        'signing_key.rotated',
        '--allow-insecure-development',
      )
      expect((await cli(fixture.env, ['keys', 'rotate', '--now'])).code).toBe(0)
      await dispatchOnce()

      const log = await cli(fixture.env, ['webhooks', 'deliveries', endpoint.id, '--json'])
      expect(log.code, log.stderr).toBe(0)
      const [delivery] = json(log.stdout).deliveries as Delivery[]
      expect(delivery).toMatchObject({ eventType: 'signing_key.rotated', status: 'succeeded', attempts: 1, lastResponseCode: 204 })
      const first = receiver.received.find((request) => request.headers['webhook-id'] === delivery?.id)
      expect(new Webhook(secret).verify(first?.body as string, first?.headers as Record<string, string>)).toMatchObject({
        type: 'signing_key.rotated',
      })

      const resent = await cli(fixture.env, ['webhooks', 'resend', delivery?.id as string, '--json'])
      expect(resent.code, resent.stderr).toBe(0)
      expect(json(resent.stdout)).toMatchObject({ delivery: { id: delivery?.id, status: 'pending', attempts: 0 } })
      await dispatchOnce()
      expect(receiver.received.filter((request) => request.headers['webhook-id'] === delivery?.id)).toHaveLength(2)

      const human = await cli(fixture.env, ['webhooks', 'deliveries', endpoint.id])
      expect(human.stdout).toContain(delivery?.id)
      expect(human.stdout).toContain('succeeded')
      expect(errorCode(await cli(fixture.env, ['webhooks', 'resend', 'msg_nope', '--json']))).toBe('webhook_delivery_not_found')
    })

    it('deletes an endpoint; its log goes with it', async () => {
      const { endpoint } = await create('--url', 'https://93.184.216.34/', '--events', 'session.revoked')
      const deleted = await cli(fixture.env, ['webhooks', 'delete', endpoint.id, '--json'])
      expect(deleted.code).toBe(0)
      expect(json(deleted.stdout)).toEqual({ deleted: endpoint.id })
      expect(errorCode(await cli(fixture.env, ['webhooks', 'deliveries', endpoint.id, '--json']))).toBe('webhook_not_found')
      expect(errorCode(await cli(fixture.env, ['webhooks', 'delete', endpoint.id, '--json']))).toBe('webhook_not_found')
    })
  })
}
