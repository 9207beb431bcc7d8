import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { DIALECTS } from '../../test/test-database.js'
import { atSystemTime, openWebhookFixture, receiverForTest, type WebhookFixture } from '../../test/webhook-fixture.js'
import { type ReceivedWebhook, reply } from '../../test/webhook-receiver.js'
import { nominalDelayMs } from './retry-schedule.js'

const CLI = { kind: 'cli' } as const
const HOUR = 3600_000

/** Verifies a received request as a receiver would, with the standardwebhooks package. */
function verified(secret: string, request: ReceivedWebhook, at: number): unknown {
  return atSystemTime(at, () => new Webhook(secret).verify(request.body, request.headers))
}

async function revokeASession(fx: WebhookFixture, sessionId = 'sid_1') {
  return fx.emit({ type: 'session.revoked', userId: 'usr_1', payload: { sessionId, reason: 'revoked_by_user' } })
}

async function onlyDelivery(fx: WebhookFixture, endpointId: string) {
  const deliveries = await fx.service.deliveries(endpointId)
  expect(deliveries).toHaveLength(1)
  return deliveries[0] as (typeof deliveries)[number]
}

for (const dialect of DIALECTS) {
  describe(`webhook delivery on ${dialect}`, () => {
    async function setUp(options: Parameters<typeof openWebhookFixture>[1] = {}) {
      const fx = await openWebhookFixture(dialect, options)
      const receiver = await receiverForTest()
      const { endpoint, secret } = await fx.service.create(
        { url: `${receiver.origin}/hooks/tessera`, events: ['session.revoked', 'user.disabled'], allowInsecureDevelopment: true },
        CLI,
      )
      return { fx, receiver, endpoint, secret }
    }

    it('POSTs a signed session.revoked that the standardwebhooks package verifies', async () => {
      const { fx, receiver, endpoint, secret } = await setUp()
      await revokeASession(fx)
      const report = await fx.dispatcher.tick()
      expect(report).toEqual({ enqueued: 1, attempted: 1, succeeded: 1, failed: 0 })

      const [request] = receiver.received
      expect(request?.method).toBe('POST')
      expect(request?.path).toBe('/hooks/tessera')
      expect(request?.headers['content-type']).toBe('application/json')
      expect(request?.headers['webhook-id']).toMatch(/^msg_[A-Za-z0-9_-]{22}$/)
      expect(request?.headers['webhook-timestamp']).toBe(String(Math.floor(fx.clock.now() / 1000)))
      expect(verified(secret, request as ReceivedWebhook, fx.clock.now())).toEqual({
        type: 'session.revoked',
        timestamp: new Date(fx.clock.now()).toISOString(),
        data: { sessionId: 'sid_1', userId: 'usr_1', reason: 'revoked_by_user' },
      })
      expect(request?.body).not.toContain('whsec_')

      const delivery = await onlyDelivery(fx, endpoint.id)
      expect(delivery).toMatchObject({ id: request?.headers['webhook-id'], status: 'succeeded', attempts: 1, lastResponseCode: 204 })
      expect(delivery.nextAttemptAt).toBeNull()
    })

    it('sends only the event types the endpoint subscribed to', async () => {
      const { fx, receiver } = await setUp()
      await fx.emit({ type: 'key.revoked', payload: { kid: 'k1' } })
      await fx.emit({ type: 'user.created', userId: 'usr_2', payload: { email: 'x@example.com' } })
      await fx.emit({ type: 'user.disabled', userId: 'usr_2' })
      await fx.dispatcher.tick()
      expect(receiver.received.map((request) => JSON.parse(request.body).type)).toEqual(['user.disabled'])
    })

    it('signs with both secrets during a rotation overlap, and with the new one alone after it', async () => {
      const { fx, receiver, endpoint, secret: old } = await setUp({ rotationOverlapMs: 24 * HOUR })
      const { secret: next } = await fx.service.rotateSecret(endpoint.id, CLI)
      await revokeASession(fx, 'during')
      await fx.dispatcher.tick()
      const during = receiver.received[0] as ReceivedWebhook
      expect(during.headers['webhook-signature']?.split(' ')).toHaveLength(2)
      expect(verified(old, during, fx.clock.now())).toBeDefined()
      expect(verified(next, during, fx.clock.now())).toBeDefined()

      fx.clock.advance(24 * HOUR)
      await revokeASession(fx, 'after')
      await fx.dispatcher.tick()
      const after = receiver.received[1] as ReceivedWebhook
      expect(after.headers['webhook-signature']?.split(' ')).toHaveLength(1)
      expect(verified(next, after, fx.clock.now())).toBeDefined()
      expect(() => verified(old, after, fx.clock.now())).toThrow()
    })

    for (const [failure, answer, expected] of [
      ['returns 500', reply.status(500), { lastResponseCode: 500, lastError: 'http_error' }],
      ['closes the connection', reply.close, { lastResponseCode: null, lastError: 'connection_closed' }],
      ['times out', reply.hang, { lastResponseCode: null, lastError: 'timeout' }],
    ] as const) {
      it(`retries a receiver that ${failure}, with the same webhook-id, after an exponential back-off`, async () => {
        const { fx, receiver, endpoint, secret } = await setUp({ timeoutMs: 300 })
        receiver.willReply(answer, answer)
        await revokeASession(fx)

        const first = await fx.dispatcher.tick()
        expect(first).toMatchObject({ attempted: 1, failed: 1 })
        const failedOnce = await onlyDelivery(fx, endpoint.id)
        expect(failedOnce).toMatchObject({ status: 'pending', attempts: 1, ...expected })
        const firstDelay = (failedOnce.nextAttemptAt as number) - fx.clock.now()
        expect(firstDelay).toBeGreaterThanOrEqual(nominalDelayMs(1))
        expect(firstDelay).toBeLessThanOrEqual(nominalDelayMs(1) * 1.25)

        // Not due yet: nothing is sent.
        fx.clock.advance(firstDelay - 1)
        expect(await fx.dispatcher.tick()).toMatchObject({ attempted: 0 })

        fx.clock.advance(1)
        expect(await fx.dispatcher.tick()).toMatchObject({ attempted: 1, failed: 1 })
        const failedTwice = await onlyDelivery(fx, endpoint.id)
        expect(failedTwice).toMatchObject({ status: 'pending', attempts: 2 })
        const secondDelay = (failedTwice.nextAttemptAt as number) - fx.clock.now()
        expect(secondDelay).toBeGreaterThanOrEqual(nominalDelayMs(2))
        expect(secondDelay).toBeLessThanOrEqual(nominalDelayMs(2) * 1.25)

        fx.clock.advance(secondDelay)
        expect(await fx.dispatcher.tick()).toMatchObject({ attempted: 1, succeeded: 1 })
        expect(await onlyDelivery(fx, endpoint.id)).toMatchObject({
          status: 'succeeded',
          attempts: 3,
          lastResponseCode: 204,
          lastError: null,
        })

        const ids = new Set(receiver.received.map((request) => request.headers['webhook-id']))
        expect(receiver.received).toHaveLength(3)
        expect(ids.size).toBe(1)
        // Each attempt is signed afresh, with its own timestamp.
        const last = receiver.received[2] as ReceivedWebhook
        expect(last.headers['webhook-timestamp']).toBe(String(Math.floor(fx.clock.now() / 1000)))
        expect(verified(secret, last, fx.clock.now())).toBeDefined()
      })
    }

    it('gives up after more than a day of failures, and a resend sends it again with the same webhook-id', async () => {
      const { fx, receiver, endpoint } = await setUp()
      receiver.willReply(...Array.from({ length: 15 }, () => reply.status(503)))
      await revokeASession(fx)
      const start = fx.clock.now()
      for (let attempt = 1; attempt <= 15; attempt += 1) {
        expect(await fx.dispatcher.tick()).toMatchObject({ attempted: 1, failed: 1 })
        const delivery = await onlyDelivery(fx, endpoint.id)
        if (delivery.status === 'failed') break
        fx.clock.set(delivery.nextAttemptAt as number)
      }
      const failed = await onlyDelivery(fx, endpoint.id)
      expect(failed).toMatchObject({ status: 'failed', attempts: 15, lastResponseCode: 503, nextAttemptAt: null })
      expect(fx.clock.now() - start).toBeGreaterThan(24 * HOUR)
      fx.clock.advance(24 * HOUR)
      expect(await fx.dispatcher.tick()).toMatchObject({ attempted: 0 })

      const resent = await fx.service.resend(failed.id)
      expect(resent).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 })
      expect(await fx.dispatcher.tick()).toMatchObject({ attempted: 1, succeeded: 1 })
      expect(await onlyDelivery(fx, endpoint.id)).toMatchObject({ id: failed.id, status: 'succeeded', attempts: 1, lastResponseCode: 204 })
      expect(receiver.received).toHaveLength(16)
      expect(new Set(receiver.received.map((request) => request.headers['webhook-id'])).size).toBe(1)
    })

    it('resends a delivery that already succeeded', async () => {
      const { fx, receiver, endpoint } = await setUp()
      await revokeASession(fx)
      await fx.dispatcher.tick()
      const delivered = await onlyDelivery(fx, endpoint.id)
      await fx.service.resend(delivered.id)
      await fx.dispatcher.tick()
      expect(receiver.received.map((request) => request.headers['webhook-id'])).toEqual([delivered.id, delivered.id])
      expect(receiver.received[0]?.body).toBe(receiver.received[1]?.body)
    })

    it('keeps a delivery log, newest first, with status, attempts, last response and next attempt', async () => {
      const { fx, receiver, endpoint } = await setUp()
      receiver.willReply(reply.ok, reply.status(500))
      await revokeASession(fx, 'first')
      await fx.dispatcher.tick()
      fx.clock.advance(1000)
      await revokeASession(fx, 'second')
      await fx.dispatcher.tick()
      const log = await fx.service.deliveries(endpoint.id)
      expect(log.map((delivery) => [JSON.parse(delivery.payload).data.sessionId, delivery.status, delivery.lastResponseCode])).toEqual([
        ['second', 'pending', 500],
        ['first', 'succeeded', 204],
      ])
      expect(log[0]?.nextAttemptAt).toBeGreaterThan(fx.clock.now())
      expect(await fx.service.deliveries(endpoint.id, 1)).toHaveLength(1)
    })

    it('does not follow a redirect: a 3xx is a failed attempt and the target is never contacted', async () => {
      const fx = await openWebhookFixture(dialect)
      const receiver = await receiverForTest()
      const elsewhere = await receiverForTest()
      receiver.willReply(reply.status(307, `${elsewhere.origin}/stolen`))
      const { endpoint } = await fx.service.create(
        { url: `${receiver.origin}/hook`, events: ['session.revoked'], allowInsecureDevelopment: true },
        CLI,
      )
      await revokeASession(fx)
      expect(await fx.dispatcher.tick()).toMatchObject({ attempted: 1, failed: 1 })
      expect(await onlyDelivery(fx, endpoint.id)).toMatchObject({
        status: 'pending',
        lastResponseCode: 307,
        lastError: 'redirect_not_followed',
      })
      expect(elsewhere.received).toEqual([])
    })

    it('connects to the address it checked, sending the host name as the Host header', async () => {
      const fx = await openWebhookFixture(dialect)
      const receiver = await receiverForTest()
      fx.dns.set('receiver.test', ['127.0.0.1'])
      await fx.service.create(
        { url: `http://receiver.test:${receiver.port}/hook`, events: ['session.revoked'], allowInsecureDevelopment: true },
        CLI,
      )
      await revokeASession(fx)
      expect(await fx.dispatcher.tick()).toMatchObject({ succeeded: 1 })
      expect(receiver.received[0]?.headers.host).toBe(`receiver.test:${receiver.port}`)
    })

    it('re-checks the address at every delivery: a host that now resolves to a private address is refused', async () => {
      const fx = await openWebhookFixture(dialect)
      fx.dns.set('hooks.example.com', ['93.184.216.34'])
      const { endpoint } = await fx.service.create({ url: 'https://hooks.example.com/hook', events: ['session.revoked'] }, CLI)
      fx.dns.set('hooks.example.com', ['10.0.0.5'])
      await revokeASession(fx)
      expect(await fx.dispatcher.tick()).toMatchObject({ attempted: 1, failed: 1 })
      const refused = await onlyDelivery(fx, endpoint.id)
      expect(refused).toMatchObject({ status: 'pending', lastError: 'address_forbidden', lastResponseCode: null })

      fx.dns.set('hooks.example.com', ['169.254.169.254'])
      fx.clock.set(refused.nextAttemptAt as number)
      await fx.dispatcher.tick()
      expect(await onlyDelivery(fx, endpoint.id)).toMatchObject({ attempts: 2, lastError: 'address_forbidden' })
    })

    it('refuses loopback at delivery for an endpoint without the allowance (a host that resolves there)', async () => {
      const fx = await openWebhookFixture(dialect)
      const receiver = await receiverForTest()
      fx.dns.set('rebind.example.com', ['93.184.216.34'])
      const { endpoint } = await fx.service.create(
        { url: `https://rebind.example.com:${receiver.port}/hook`, events: ['session.revoked'] },
        CLI,
      )
      fx.dns.set('rebind.example.com', ['127.0.0.1'])
      await revokeASession(fx)
      await fx.dispatcher.tick()
      expect(await onlyDelivery(fx, endpoint.id)).toMatchObject({ lastError: 'address_forbidden' })
      expect(receiver.received).toEqual([])
    })

    it('ignores the development allowance once Tessera runs in production: http and loopback are refused at delivery', async () => {
      const { fx, receiver, endpoint } = await setUp()
      await revokeASession(fx)
      // The same database, now served by an instance with env = production.
      const production = fx.another({ production: true })
      expect(await production.dispatcher.tick()).toMatchObject({ enqueued: 1, attempted: 1, failed: 1 })
      expect(await onlyDelivery(fx, endpoint.id)).toMatchObject({ status: 'pending', lastError: 'url_refused' })
      expect(receiver.received).toEqual([])
    })

    it('loses no event across a crash: deliveries fanned out before it are sent by the next instance', async () => {
      const { fx, receiver, endpoint } = await setUp()
      await revokeASession(fx, 'one')
      await fx.dispatcher.fanOut()
      await revokeASession(fx, 'two')
      // The first instance dies here: one delivery created, one event not yet fanned out.
      const restarted = fx.another()
      expect(await restarted.dispatcher.tick()).toMatchObject({ enqueued: 1, attempted: 2, succeeded: 2 })
      expect(receiver.received.map((request) => JSON.parse(request.body).data.sessionId).sort()).toEqual(['one', 'two'])
      expect(await fx.service.deliveries(endpoint.id)).toHaveLength(2)
    })

    it('creates each delivery once and sends it once when two instances tick together', async () => {
      const { fx, receiver, endpoint } = await setUp()
      for (let index = 0; index < 5; index += 1) await revokeASession(fx, `s${index}`)
      const other = fx.another()
      await Promise.all([fx.dispatcher.tick(), other.dispatcher.tick()])
      await Promise.all([fx.dispatcher.tick(), other.dispatcher.tick()])
      expect(await fx.service.deliveries(endpoint.id)).toHaveLength(5)
      expect(receiver.received).toHaveLength(5)
    })

    it('retries an attempt whose instance crashed mid-flight once its lease ends', async () => {
      const { fx, receiver, endpoint } = await setUp()
      await revokeASession(fx)
      await fx.dispatcher.fanOut()
      const [pending] = await fx.service.deliveries(endpoint.id)
      // A claim with no outcome: the instance died while sending.
      await fx.stores.webhookDeliveries.claim(
        pending?.id as string,
        pending?.nextAttemptAt as number,
        fx.clock.now() + 120_000,
        fx.clock.now(),
      )
      expect(await fx.dispatcher.tick()).toMatchObject({ attempted: 0 })
      fx.clock.advance(120_000)
      expect(await fx.dispatcher.tick()).toMatchObject({ attempted: 1, succeeded: 1 })
      expect(receiver.received).toHaveLength(1)
    })

    it('stops delivering to a deleted endpoint', async () => {
      const { fx, receiver, endpoint } = await setUp()
      receiver.willReply(reply.status(500))
      await revokeASession(fx)
      await fx.dispatcher.tick()
      await fx.service.delete(endpoint.id, CLI)
      fx.clock.advance(HOUR)
      await revokeASession(fx, 'later')
      expect(await fx.dispatcher.tick()).toEqual({ enqueued: 0, attempted: 0, succeeded: 0, failed: 0 })
      expect(receiver.received).toHaveLength(1)
    })
  })
}
