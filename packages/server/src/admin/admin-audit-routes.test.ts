import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'
import { PASSWORD, signIn } from '../../test/test-server.js'

for (const dialect of DIALECTS) {
  describe(`admin audit log on ${dialect}`, () => {
    it('records who did what, to whom and from where, and pages through it newest first with filters', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const created = await admin.call('POST', '/users', {
        payload: { email: 'ann@example.com', password: PASSWORD },
        headers: { 'x-forwarded-for': '203.0.113.9' },
      })
      const userId = created.json().user.id as string
      await admin.call('POST', `/users/${userId}/disable`)
      await admin.call('POST', `/users/${userId}/enable`)
      await signIn(admin.server.app, 'ann@example.com', 'wrong password entirely')

      const mine = await admin.call('GET', `/audit?actorKind=application&actorId=${admin.clientId}&userId=${userId}`)
      expect(mine.statusCode, mine.body).toBe(200)
      expect(mine.json().entries.map((entry: { action: string }) => entry.action)).toEqual([
        'user.enabled',
        'user.disabled',
        'user.sessions_revoked',
        'user.created',
      ])
      expect(mine.json().entries[3]).toMatchObject({
        actor: { kind: 'application', id: admin.clientId },
        target: { type: 'user', id: userId },
        ip: '127.0.0.1',
      })
      expect(mine.body).not.toContain(PASSWORD)

      const failures = await admin.call('GET', '/audit?action=sign_in.failed')
      expect(failures.json().entries).toHaveLength(1)

      const seen: string[] = []
      let cursor: string | null = null
      do {
        const page = await admin.call('GET', `/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        expect(page.statusCode, page.body).toBe(200)
        seen.push(...page.json().entries.map((entry: { id: string }) => entry.id))
        cursor = page.json().nextCursor
      } while (cursor)
      expect(seen.length).toBeGreaterThan(4)
      expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen)
      expect(new Set(seen).size).toBe(seen.length)

      const until = new Date(admin.server.clock.now() - 1000).toISOString()
      expect((await admin.call('GET', `/audit?until=${until}`)).json().entries).toEqual([])
    })
  })
}

describe('admin audit log: bad input', () => {
  it('refuses unknown filters, bad times, bad kinds, oversized pages and garbage cursors', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    for (const query of [
      'limit=201',
      'limit=0',
      'actorKind=robot',
      'since=yesterday',
      'until=1700000000000',
      'action=DROP%20TABLE',
      'secret=1',
      '__proto__=x',
    ]) {
      expectProblem(await admin.call('GET', `/audit?${query}`), 400, 'invalid_request')
    }
    // The audit service's own cursor check answers with its code.
    for (const query of ['cursor=%25%25%25', 'cursor=bm9wZQ', `cursor=${Buffer.from('users:usr_AAAA').toString('base64url')}`]) {
      expectProblem(await admin.call('GET', `/audit?${query}`), 400, 'invalid_cursor')
    }
  })
})
