import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'
import { atSystemTime, receiverForTest } from '../../test/webhook-fixture.js'
import { reply } from '../../test/webhook-receiver.js'

for (const dialect of DIALECTS) {
  describe(`admin webhook deliveries on ${dialect}`, () => {
    it('lists deliveries with status, response code and attempts, pages them, resends one and sends a signed test event', async ({
      onTestFinished,
    }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const { server } = admin
      const receiver = await receiverForTest()
      const created = await admin.call('POST', '/webhooks', {
        payload: { url: `${receiver.origin}/hook`, events: ['user.disabled', 'user.deleted'], allowInsecureDevelopment: true },
      })
      const { endpoint, secret } = created.json()
      const user = (
        await admin.call('POST', '/users', { payload: { email: 'ann@example.test', password: 'correct horse battery staple' } })
      ).json().user
      expect((await admin.call('POST', `/users/${user.id}/disable`)).statusCode).toBe(200)
      expect((await admin.call('DELETE', `/users/${user.id}`)).statusCode).toBe(204)
      receiver.willReply(reply.status(500)) // the first attempt fails, the second succeeds
      await server.tessera.webhooks.dispatcher.tick()

      const listed = await admin.call('GET', `/webhooks/${endpoint.id}/deliveries`)
      expect(listed.statusCode, listed.body).toBe(200)
      const { deliveries } = listed.json()
      expect(deliveries.map((delivery: { eventType: string }) => delivery.eventType)).toEqual(['user.deleted', 'user.disabled'])
      const failed = deliveries.find((delivery: { status: string }) => delivery.status === 'pending')
      expect(failed).toMatchObject({ attempts: 1, lastResponseCode: 500, lastError: 'http_error' })
      expect(deliveries.find((delivery: { status: string }) => delivery.status === 'succeeded')).toMatchObject({
        attempts: 1,
        lastResponseCode: 204,
        lastError: null,
        nextAttemptAt: null,
      })
      expect(listed.body).not.toContain('payload')

      // Pages of one, newest first, then the end.
      const first = (await admin.call('GET', `/webhooks/${endpoint.id}/deliveries?limit=1`)).json()
      expect(first.deliveries.map((d: { id: string }) => d.id)).toEqual([deliveries[0].id])
      const second = (await admin.call('GET', `/webhooks/${endpoint.id}/deliveries?limit=1&cursor=${first.nextCursor}`)).json()
      expect(second.deliveries.map((d: { id: string }) => d.id)).toEqual([deliveries[1].id])
      const third = (await admin.call('GET', `/webhooks/${endpoint.id}/deliveries?limit=1&cursor=${second.nextCursor}`)).json()
      expect(third).toEqual({ deliveries: [], nextCursor: null })

      // Resend: due now, attempts start over; the next tick delivers it with the same webhook-id.
      const resent = await admin.call('POST', `/webhooks/${endpoint.id}/deliveries/${failed.id}/resend`)
      expect(resent.statusCode, resent.body).toBe(202)
      expect(resent.json().delivery).toMatchObject({ id: failed.id, status: 'pending', attempts: 0 })
      receiver.received.length = 0
      await server.tessera.webhooks.dispatcher.tick()
      expect(receiver.received.map((request) => request.headers['webhook-id'])).toEqual([failed.id])

      // A test event reaches the endpoint although it subscribes to other events, signed with its secret.
      const test = await admin.call('POST', `/webhooks/${endpoint.id}/test`)
      expect(test.statusCode, test.body).toBe(202)
      expect(test.json().delivery).toMatchObject({ eventType: 'webhook.test', status: 'pending', attempts: 0 })
      receiver.received.length = 0
      expect(await server.tessera.webhooks.dispatcher.tick()).toMatchObject({ enqueued: 0, succeeded: 1 })
      const [request] = receiver.received
      const event = atSystemTime(server.clock.now(), () => new Webhook(secret).verify(request?.body ?? '', request?.headers ?? {}))
      expect(event).toMatchObject({ type: 'webhook.test', data: { endpointId: endpoint.id } })
      expect((await admin.call('GET', `/webhooks/${endpoint.id}/deliveries?limit=1`)).json().deliveries[0]).toMatchObject({
        eventType: 'webhook.test',
        status: 'succeeded',
        lastResponseCode: 204,
      })

      // Both operator actions are in the audit log, with the endpoint as target.
      const audit = (await admin.call('GET', '/audit?limit=5')).json().entries
      expect(audit.slice(0, 2).map((entry: { action: string; target: { id: string } }) => [entry.action, entry.target.id])).toEqual([
        ['webhook.test_sent', endpoint.id],
        ['webhook.delivery_resent', endpoint.id],
      ])
    })
  })
}

describe('admin webhook deliveries: bad input changes nothing', () => {
  it('refuses foreign, unknown and malformed ids, bad cursors, and a read-only token', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const make = async () =>
      (
        await admin.call('POST', '/webhooks', {
          payload: { url: 'http://127.0.0.1:9/hook', events: ['user.disabled'], allowInsecureDevelopment: true },
        })
      ).json().endpoint.id as string
    const [one, other] = [await make(), await make()]
    const delivery = (await admin.call('POST', `/webhooks/${one}/test`)).json().delivery
    expectProblem(await admin.call('POST', `/webhooks/${other}/deliveries/${delivery.id}/resend`), 404, 'webhook_delivery_not_found')
    expectProblem(await admin.call('POST', `/webhooks/${one}/deliveries/msg_nope/resend`), 404, 'webhook_delivery_not_found')
    expectProblem(await admin.call('POST', `/webhooks/ep_nope/test`), 404, 'webhook_not_found')
    expectProblem(await admin.call('GET', `/webhooks/ep_nope/deliveries`), 404, 'webhook_not_found')
    expectProblem(await admin.call('GET', `/webhooks/${one}/deliveries?cursor=bm9wZQ`), 400, 'invalid_request')
    expectProblem(await admin.call('GET', `/webhooks/${one}/deliveries?limit=0`), 400, 'invalid_request')
    expectProblem(await admin.call('POST', `/webhooks/${one}/deliveries/usr_x/resend`), 400, 'invalid_request')
    const reader = await admin.tokenWith('admin:read')
    expectProblem(await admin.call('POST', `/webhooks/${one}/test`, { token: reader }), 403, 'insufficient_scope')
    const after = (await admin.call('GET', `/webhooks/${one}/deliveries`)).json().deliveries
    expect(after.map((d: { id: string; attempts: number }) => [d.id, d.attempts])).toEqual([[delivery.id, 0]])
    expect((await admin.call('GET', `/webhooks/${other}/deliveries`)).json().deliveries).toEqual([])
  })
})
