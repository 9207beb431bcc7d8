import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'

type Call = Awaited<ReturnType<typeof adminHarness>>['call']

/** Every item of a paged list, a page of `limit` at a time, and the pages' sizes. */
async function walk(call: Call, path: string, field: string, limit: number): Promise<{ ids: string[]; sizes: number[] }> {
  const ids: string[] = []
  const sizes: number[] = []
  let cursor: string | null = null
  do {
    const response = await call('GET', `${path}?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
    expect(response.statusCode, response.body).toBe(200)
    const body = response.json()
    const items = body[field] as Record<string, string>[]
    ids.push(...items.map((item) => item.id ?? item.clientId ?? ''))
    sizes.push(items.length)
    cursor = body.nextCursor
  } while (cursor !== null)
  return { ids, sizes }
}

for (const dialect of DIALECTS) {
  describe(`paged admin lists on ${dialect}`, () => {
    it('pages applications, APIs, roles and webhook endpoints by id with opaque cursors, and role members', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      for (let i = 0; i < 3; i += 1) {
        const created = [
          await admin.call('POST', '/roles', { payload: { name: `reader-${i}` } }),
          await admin.call('POST', '/apis', { payload: { identifier: `https://api${i}.example.test`, name: `API ${i}`, mode: 'jwt' } }),
          await admin.call('POST', '/applications', { payload: { name: `Job ${i}`, type: 'm2m' } }),
          await admin.call('POST', '/webhooks', {
            payload: { url: `http://127.0.0.1:9/hook${i}`, events: ['user.disabled'], allowInsecureDevelopment: true },
          }),
        ]
        for (const response of created) expect(response.statusCode, response.body).toBe(201)
      }
      for (const [path, field] of [
        ['/roles', 'roles'],
        ['/apis', 'apis'],
        ['/applications', 'applications'],
        ['/webhooks', 'endpoints'],
      ] as const) {
        const whole = (await admin.call('GET', path)).json()
        expect(whole.nextCursor, path).toBeNull()
        const all = (whole[field] as Record<string, string>[]).map((item) => item.id ?? item.clientId ?? '')
        expect(all.length, path).toBeGreaterThanOrEqual(3)
        expect([...all].sort(), path).toEqual(all)
        const paged = await walk(admin.call, path, field, 2)
        expect(paged.ids, path).toEqual(all)
        expect(paged.sizes.every((size) => size <= 2)).toBe(true)
        // A cursor of another list is refused before any query.
        const other = (await admin.call('GET', `${path === '/roles' ? '/apis' : '/roles'}?limit=1`)).json().nextCursor
        expectProblem(await admin.call('GET', `${path}?cursor=${other}`), 400, 'invalid_request')
      }

      // Members of a role: users by id, a page at a time; applications on the first page.
      const role = (await admin.call('POST', '/roles', { payload: { name: 'auditor' } })).json().role
      const userIds: string[] = []
      for (const email of ['a@example.test', 'b@example.test', 'c@example.test']) {
        const user = (await admin.call('POST', '/users', { payload: { email, password: 'correct horse battery staple' } })).json().user
        userIds.push(user.id)
        expect((await admin.call('PUT', `/users/${user.id}/roles/${role.id}`)).statusCode).toBe(204)
      }
      const job = (await admin.call('GET', '/applications')).json().applications.find((app: { name: string }) => app.name === 'Job 0')
      expect((await admin.call('PUT', `/applications/${job.clientId}/roles/${role.id}`)).statusCode).toBe(204)
      const first = (await admin.call('GET', `/roles/${role.id}/members?limit=2`)).json()
      const rest = (await admin.call('GET', `/roles/${role.id}/members?limit=2&cursor=${first.nextCursor}`)).json()
      const emails = Object.fromEntries(userIds.map((id, i) => [id, ['a', 'b', 'c'][i]]))
      expect([...first.users, ...rest.users].map((user: { id: string }) => user.id)).toEqual([...userIds].sort())
      expect(first.users.map((user: { id: string; email: string }) => user.email)).toEqual(
        first.users.map((user: { id: string }) => `${emails[user.id]}@example.test`),
      )
      expect(first.applications).toEqual([{ clientId: job.clientId, name: 'Job 0' }])
      expect(rest).toMatchObject({ applications: [], nextCursor: null })
      expectProblem(await admin.call('GET', '/roles/rol_nope/members'), 404, 'role_not_found')
    })
  })
}
