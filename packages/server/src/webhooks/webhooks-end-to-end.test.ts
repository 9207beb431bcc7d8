import { Webhook } from 'standardwebhooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { authorize, decideThroughPage, deviceClient } from '../../test/device-fixture.js'
import { createApi, createUser } from '../../test/oauth-fixture.js'
import { Browser } from '../../test/oidc-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { createTestServer, signIn, signUp, type TestServer } from '../../test/test-server.js'
import { atSystemTime, receiverForTest } from '../../test/webhook-fixture.js'
import type { ReceivedWebhook, WebhookReceiver } from '../../test/webhook-receiver.js'
import { WEBHOOK_EVENT_TYPES } from './webhook-event-types.js'

const CLI = { kind: 'cli' } as const

for (const dialect of DIALECTS) {
  describe(`webhooks through the real Tessera on ${dialect}`, () => {
    let server: TestServer
    let receiver: WebhookReceiver
    let secret: string

    beforeEach(async () => {
      server = await createTestServer({ dialect })
      receiver = await receiverForTest()
      const created = await server.tessera.webhooks.service.create(
        // Every type but the sign-in ones (issue 15 §5), which each test's own sign-in would add to its deliveries.
        {
          url: `${receiver.origin}/hook`,
          events: WEBHOOK_EVENT_TYPES.filter((type) => !type.startsWith('sign_in.')),
          allowInsecureDevelopment: true,
        },
        CLI,
      )
      secret = created.secret
    })
    afterEach(async () => {
      await server.close()
    })

    /** Every delivery so far, verified with the standardwebhooks package as a receiver would. */
    function verifiedEvents(): { type: string; data: Record<string, unknown> }[] {
      return receiver.received.map((request: ReceivedWebhook) =>
        atSystemTime(
          server.clock.now(),
          () => new Webhook(secret).verify(request.body, request.headers) as { type: string; data: Record<string, unknown> },
        ),
      )
    }

    it('revoking a session through the HTTP API produces a signed session.revoked delivery', async () => {
      const ann = await signUp(server.app, 'ann@example.com')
      const other = await signIn(server.app, 'ann@example.com', undefined, { transport: 'bearer' })
      const revoked = await server.app.inject({
        method: 'DELETE',
        url: `/v1/sessions/${ann.body.session?.id}`,
        headers: { authorization: `Bearer ${other.token}` },
      })
      expect(revoked.statusCode).toBe(204)
      expect(receiver.received).toEqual([]) // nothing is sent until the dispatcher runs

      expect(await server.tessera.webhooks.dispatcher.tick()).toMatchObject({ enqueued: 1, succeeded: 1 })
      expect(verifiedEvents()).toEqual([
        {
          type: 'session.revoked',
          timestamp: new Date(server.clock.now()).toISOString(),
          data: { sessionId: ann.body.session?.id, userId: ann.body.user?.id, reason: 'revoked_by_user' },
        },
      ])
      expect(receiver.received[0]?.body).not.toContain(other.token as string)
    })

    it('signing out everywhere produces session.revoked for each session and one user.signed_out_everywhere', async () => {
      const ann = await signUp(server.app, 'ann@example.com')
      await signIn(server.app, 'ann@example.com')
      const response = await server.app.inject({
        method: 'POST',
        url: '/v1/sessions/revoke',
        headers: { authorization: `Bearer ${ann.token}` },
        payload: { scope: 'all' },
      })
      expect(response.statusCode).toBe(204)
      await server.tessera.webhooks.dispatcher.tick()
      const types = verifiedEvents().map((event) => event.type)
      expect(types.filter((type) => type === 'session.revoked')).toHaveLength(2)
      expect(types.filter((type) => type === 'user.signed_out_everywhere')).toHaveLength(1)
    })

    it('signing out of the other devices is not a sign-out everywhere', async () => {
      const ann = await signUp(server.app, 'ann@example.com')
      await signIn(server.app, 'ann@example.com')
      await server.app.inject({
        method: 'POST',
        url: '/v1/sessions/revoke',
        headers: { authorization: `Bearer ${ann.token}` },
        payload: { scope: 'others' },
      })
      await server.tessera.webhooks.dispatcher.tick()
      expect(verifiedEvents().map((event) => event.type)).toEqual(['session.revoked'])
    })

    it('disabling a user and revoking a signing key are delivered too', async () => {
      const ann = await signUp(server.app, 'ann@example.com')
      await server.tessera.services.users.disable(ann.body.user?.id as string, CLI)
      const [key] = await server.tessera.services.keys.list()
      await server.tessera.services.keys.revoke(key?.kid as string, CLI)
      await server.tessera.webhooks.dispatcher.tick()
      const events = verifiedEvents()
      expect(events.map((event) => event.type)).toEqual(
        expect.arrayContaining(['session.revoked', 'user.signed_out_everywhere', 'user.disabled', 'signing_key.revoked']),
      )
      expect(events.find((event) => event.type === 'signing_key.revoked')?.data).toEqual({ kid: key?.kid })
    })

    it('a device allowed on the verification page is delivered with who, which client and what, never a code', async () => {
      await createApi(server)
      const client = await deviceClient(server)
      const user = await createUser(server, 'ann@example.com')
      const started = await authorize(server, client)
      await decideThroughPage(new Browser(server.app), 'ann@example.com', started.user_code)
      await server.tessera.webhooks.dispatcher.tick()
      const approved = verifiedEvents().find((event) => event.type === 'device_authorization.approved')
      expect(approved?.data).toMatchObject({ userId: user.id, clientId: client.id, scope: ['openid', 'offline_access', 'read'] })
      expect(typeof approved?.data.sessionId).toBe('string')
      for (const request of receiver.received) {
        expect(request.body).not.toContain(started.user_code)
        expect(request.body).not.toContain(started.device_code)
      }
    })
  })
}
