import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'
import { signUp } from '../../test/test-server.js'

for (const dialect of DIALECTS) {
  describe(`admin sessions on ${dialect}`, () => {
    it("lists a user's live sessions and revokes one; a session of another user is 404 and stays live", async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const ann = await signUp(admin.server.app, 'ann@example.com', { transport: 'bearer' })
      const bob = await signUp(admin.server.app, 'bob@example.com', { transport: 'bearer' })
      const annId = ann.body.user?.id as string
      const bobSession = bob.body.session?.id as string

      const list = await admin.call('GET', `/users/${annId}/sessions`)
      expect(list.statusCode, list.body).toBe(200)
      expect(list.json().sessions).toEqual([expect.objectContaining({ id: ann.body.session?.id, amr: ['pwd'] })])
      expect(list.body).not.toContain(ann.token as string)

      // Bob's session through Ann's path: not found, and Bob is still signed in.
      expectProblem(await admin.call('DELETE', `/users/${annId}/sessions/${bobSession}`), 404, 'session_not_found')
      const bobCheck = await admin.server.app.inject({
        method: 'GET',
        url: '/v1/session',
        headers: { authorization: `Bearer ${bob.token}` },
      })
      expect(bobCheck.statusCode).toBe(200)

      expect((await admin.call('DELETE', `/users/${annId}/sessions/${ann.body.session?.id}`)).statusCode).toBe(204)
      expect((await admin.call('GET', `/users/${annId}/sessions`)).json().sessions).toEqual([])
      expectProblem(await admin.call('DELETE', `/users/${annId}/sessions/${ann.body.session?.id}`), 404, 'session_not_found')
    })
  })
}

describe('admin sessions: bad input', () => {
  it('answers 404 for an unknown user and 400 for ids of the wrong shape', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const ann = await signUp(admin.server.app, 'ann@example.com', { transport: 'bearer' })
    expectProblem(await admin.call('GET', '/users/usr_AAAAAAAAAAAAAAAAAAAAAA/sessions'), 404, 'user_not_found')
    expectProblem(await admin.call('DELETE', `/users/usr_AAAAAAAAAAAAAAAAAAAAAA/sessions/${ann.body.session?.id}`), 404, 'user_not_found')
    expectProblem(await admin.call('DELETE', `/users/${ann.body.user?.id}/sessions/${ann.token}`), 400, 'invalid_request')
    expectProblem(await admin.call('DELETE', `/users/${ann.body.user?.id}/sessions/x`), 400, 'invalid_request')
    expect((await admin.call('GET', `/users/${ann.body.user?.id}/sessions`)).json().sessions).toHaveLength(1)
  })
})
