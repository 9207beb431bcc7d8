import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'
import { PASSWORD, signIn, signUp } from '../../test/test-server.js'

const HOUR = 3_600_000
// biome-ignore lint/suspicious/noExplicitAny: the JSON body of the response
const pointAt = (points: any[], at: string) => points.find((point) => point.at === at)

for (const dialect of DIALECTS) {
  describe(`admin stats on ${dialect}`, () => {
    it('counts users, active sessions, applications and APIs, and charts sign-ins, tokens, the feed and the backlog', async ({
      onTestFinished,
    }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const { server } = admin
      server.clock.set(Date.parse('2026-01-10T10:30:00Z'))
      await admin.tokenWith('admin:read') // one token issued in the 10:00 hour
      const ann = await signUp(server.app, 'ann@example.test')
      await signUp(server.app, 'bob@example.test')
      expect((await signIn(server.app, 'ann@example.test')).response.statusCode).toBe(200)
      for (let i = 0; i < 2; i += 1) await signIn(server.app, 'bob@example.test', `${PASSWORD} not`)
      server.clock.advance(2 * HOUR)
      await signIn(server.app, 'ann@example.test', 'wrong password here')
      // Admin tokens live five minutes: fresh ones for this hour.
      const reader = await admin.tokenWith('admin:read')
      const token = await admin.tokenWith('admin:read admin:write')

      const response = await admin.call('GET', '/stats', { token: reader })
      expect(response.statusCode, response.body).toBe(200)
      const stats = response.json()
      const applications = (await admin.call('GET', '/applications', { token })).json().applications.length
      const apis = (await admin.call('GET', '/apis', { token })).json().apis.length
      expect(stats.generatedAt).toBe('2026-01-10T12:30:00.000Z')
      expect(stats.counts).toEqual({ users: 2, activeSessions: 3, applications, apis })

      expect(stats.signIns.hourly).toHaveLength(24)
      expect(stats.signIns.hourly[0].at).toBe('2026-01-09T13:00:00.000Z')
      expect(pointAt(stats.signIns.hourly, '2026-01-10T10:00:00.000Z')).toEqual({
        at: '2026-01-10T10:00:00.000Z',
        succeeded: 1,
        failed: 2,
      })
      expect(stats.signIns.hourly.at(-1)).toEqual({ at: '2026-01-10T12:00:00.000Z', succeeded: 0, failed: 1 })
      expect(stats.signIns.daily).toHaveLength(30)
      expect(stats.signIns.daily[0].at).toBe('2025-12-12T00:00:00.000Z')
      expect(stats.signIns.daily.at(-1)).toEqual({ at: '2026-01-10T00:00:00.000Z', succeeded: 1, failed: 3 })

      expect(stats.tokensIssued.scope).toBe('instance')
      expect(pointAt(stats.tokensIssued.hourly, '2026-01-10T10:00:00.000Z').count).toBe(1)
      expect(stats.tokensIssued.hourly.at(-1)).toEqual({ at: '2026-01-10T12:00:00.000Z', count: 2 })
      expect(stats.revocationFeed).toMatchObject({ scope: 'instance', subscribers: 0 })
      expect(stats.webhooks).toEqual({ pending: 0, oldestPendingAt: null })

      // A revocation reaches the hub (lag observed), and a webhook waits in the backlog.
      await server.tessera.services.revocationHub.currentSeq() // where the hub starts, as on start-up
      const endpoint = await admin.call('POST', '/webhooks', {
        token,
        payload: { url: 'http://127.0.0.1:9/hook', events: ['user.disabled'], allowInsecureDevelopment: true },
      })
      expect(endpoint.statusCode, endpoint.body).toBe(201)
      expect((await admin.call('POST', `/users/${ann.body.user?.id}/disable`, { token })).statusCode).toBe(200)
      await server.tessera.services.revocationHub.signal()
      await server.tessera.webhooks.dispatcher.fanOut()
      const after = (await admin.call('GET', '/stats', { token })).json()
      expect(after.webhooks).toEqual({ pending: 1, oldestPendingAt: '2026-01-10T12:30:00.000Z' })
      expect(after.revocationFeed.lag.samples).toBeGreaterThan(0)
      expect(after.revocationFeed.lag.p99Ms).toBe(0) // the manual clock does not move
      expect(after.counts.activeSessions).toBe(1) // ann's two sessions died with her account

      // Four days on, bob's session is idle past the timeout, and the hourly charts are empty.
      server.clock.advance(4 * 24 * HOUR)
      const later = (await admin.call('GET', '/stats', { token: await admin.tokenWith('admin:read') })).json()
      expect(later.counts.activeSessions).toBe(0)
      expect(later.signIns.hourly.every((point: { succeeded: number; failed: number }) => point.succeeded + point.failed === 0)).toBe(true)
      expect(pointAt(later.signIns.daily, '2026-01-10T00:00:00.000Z')).toMatchObject({ succeeded: 1, failed: 3 })
    })
  })
}

describe('admin stats access', () => {
  it('needs admin:read', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    expectProblem(await admin.call('GET', '/stats', { token: null }), 401, 'unauthenticated')
    expectProblem(await admin.call('GET', '/stats', { token: await admin.tokenWith('admin:write') }), 403, 'insufficient_scope')
  })
})
