import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'

for (const dialect of DIALECTS) {
  describe(`admin users sorted on ${dialect}`, () => {
    it('sorts by email either way, a page at a time, with cursors that belong to their order', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      for (const email of ['carol@example.test', 'alice@example.test', 'bob@example.test']) {
        const created = await admin.call('POST', '/users', { payload: { email, password: 'correct horse battery staple' } })
        expect(created.statusCode, created.body).toBe(201)
      }
      const emails = (body: { users: { email: string }[] }) => body.users.map((user) => user.email)
      const first = (await admin.call('GET', '/users?sort=email&limit=2')).json()
      expect(emails(first)).toEqual(['alice@example.test', 'bob@example.test'])
      const second = (await admin.call('GET', `/users?sort=email&limit=2&cursor=${first.nextCursor}`)).json()
      expect(second).toMatchObject({ nextCursor: null })
      expect(emails(second)).toEqual(['carol@example.test'])

      const down = (await admin.call('GET', '/users?sort=-email&limit=2')).json()
      expect(emails(down)).toEqual(['carol@example.test', 'bob@example.test'])
      expect(emails((await admin.call('GET', `/users?sort=-email&limit=2&cursor=${down.nextCursor}`)).json())).toEqual([
        'alice@example.test',
      ])
      expect(emails((await admin.call('GET', '/users?sort=email&search=o')).json())).toEqual(['bob@example.test', 'carol@example.test'])

      expectProblem(await admin.call('GET', `/users?cursor=${first.nextCursor}`), 400, 'invalid_request')
      expectProblem(await admin.call('GET', `/users?sort=-email&cursor=${first.nextCursor}`), 400, 'invalid_request')
      expectProblem(await admin.call('GET', '/users?sort=created'), 400, 'invalid_request')
    })
  })
}
