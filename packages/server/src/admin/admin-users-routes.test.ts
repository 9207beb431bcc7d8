import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { DIALECTS } from '../../test/test-database.js'
import { PASSWORD, signIn, signUp } from '../../test/test-server.js'

const NEW_PASSWORD = 'another long passphrase here'

for (const dialect of DIALECTS) {
  describe(`admin users on ${dialect}`, () => {
    it('creates, reads, lists with search and cursor pages, changes and deletes users', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const ids: string[] = []
      for (const name of ['ann', 'bob', 'cat', 'dan', 'eve']) {
        const created = await admin.call('POST', '/users', { payload: { email: `${name}@example.com`, password: PASSWORD } })
        expect(created.statusCode, created.body).toBe(201)
        expect(created.json().user).toMatchObject({ email: `${name}@example.com`, status: 'active' })
        expect(created.body).not.toContain('hash')
        ids.push(created.json().user.id)
      }

      const seen: string[] = []
      let cursor: string | null = null
      do {
        const page = await admin.call('GET', `/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
        expect(page.statusCode, page.body).toBe(200)
        expect(page.json().users.length).toBeLessThanOrEqual(2)
        seen.push(...page.json().users.map((user: { id: string }) => user.id))
        cursor = page.json().nextCursor
      } while (cursor)
      expect(seen).toEqual([...ids].sort())

      const search = await admin.call('GET', '/users?search=BOB')
      expect(search.json()).toEqual({ users: [expect.objectContaining({ email: 'bob@example.com' })], nextCursor: null })

      const id = ids[0] as string
      expect((await admin.call('GET', `/users/${id}`)).json().user.email).toBe('ann@example.com')
      const patched = await admin.call('PATCH', `/users/${id}`, { payload: { email: 'Anna@Example.com' } })
      expect(patched.statusCode, patched.body).toBe(200)
      expect(patched.json().user.email).toBe('anna@example.com')
      expectProblem(await admin.call('PATCH', `/users/${id}`, { payload: { email: 'bob@example.com' } }), 409, 'email_taken')

      expect((await admin.call('DELETE', `/users/${id}`)).statusCode).toBe(204)
      expectProblem(await admin.call('GET', `/users/${id}`), 404, 'user_not_found')
      expectProblem(await admin.call('DELETE', `/users/${id}`), 404, 'user_not_found')
    })

    it('deleting a user kills their sessions and tokens and emits user.deleted for webhooks', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const { token, body } = await signUp(admin.server.app, 'ann@example.com', { transport: 'bearer' })
      const userId = body.user?.id as string
      expect((await admin.call('DELETE', `/users/${userId}`)).statusCode).toBe(204)
      const session = await admin.server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } })
      expect(session.statusCode).toBe(401)
      const events = await admin.server.tessera.stores.events.listAfter(0, 1000)
      const deleted = events.find((event) => event.type === 'user.deleted')
      expect(deleted).toMatchObject({ userId, actor: { kind: 'application', id: admin.clientId } })
      const feed = await admin.server.tessera.stores.revocations.listAfter(0, 100)
      expect(feed.some((entry) => entry.entry.kind === 'user_token_version')).toBe(true)
      expectProblem(await signIn(admin.server.app, 'ann@example.com').then((r) => r.response), 401, 'invalid_credentials')
    })

    it('disables and enables, resets the password and signs a user out everywhere', async ({ onTestFinished }) => {
      const admin = await adminHarness(onTestFinished, dialect)
      const { token, body } = await signUp(admin.server.app, 'ann@example.com', { transport: 'bearer' })
      const userId = body.user?.id as string
      const whoAmI = (bearer: string) =>
        admin.server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${bearer}` } })

      expect((await admin.call('POST', `/users/${userId}/disable`)).json().user.status).toBe('disabled')
      expect((await whoAmI(token as string)).statusCode).toBe(401)
      expect((await admin.call('POST', `/users/${userId}/enable`)).json().user.status).toBe('active')

      const second = await signIn(admin.server.app, 'ann@example.com', PASSWORD, { transport: 'bearer' })
      const out = await admin.call('POST', `/users/${userId}/sign-out-everywhere`)
      expect(out.statusCode, out.body).toBe(200)
      expect(out.json().revoked).toEqual([second.body.session?.id])
      expect((await whoAmI(second.token as string)).statusCode).toBe(401)

      const third = await signIn(admin.server.app, 'ann@example.com', PASSWORD, { transport: 'bearer' })
      const reset = await admin.call('POST', `/users/${userId}/reset-password`, { payload: { password: NEW_PASSWORD } })
      expect(reset.statusCode, reset.body).toBe(200)
      expect((await whoAmI(third.token as string)).statusCode).toBe(401)
      expect((await signIn(admin.server.app, 'ann@example.com', PASSWORD)).response.statusCode).toBe(401)
      expect((await signIn(admin.server.app, 'ann@example.com', NEW_PASSWORD)).response.statusCode).toBe(200)

      const actions = (await admin.server.tessera.stores.events.listAfter(0, 1000)).filter((event) => event.actor.kind === 'application')
      expect(actions.map((event) => event.type)).toEqual(
        expect.arrayContaining(['user.disabled', 'user.enabled', 'user.sessions_revoked', 'user.password_reset']),
      )
    })
  })
}

describe('admin users: bad input changes nothing', () => {
  it('refuses wrong types, unknown fields, empty changes, weak passwords and a taken email', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    const created = await admin.call('POST', '/users', { payload: { email: 'ann@example.com', password: PASSWORD } })
    const id = created.json().user.id as string
    const bad: [string, string, unknown, string][] = [
      ['POST', '/users', { email: 42, password: PASSWORD }, 'invalid_request'],
      ['POST', '/users', { email: 'bob@example.com', password: PASSWORD, status: 'disabled' }, 'invalid_request'],
      ['POST', '/users', { email: 'bob@example.com', password: PASSWORD, id: 'usr_mine' }, 'invalid_request'],
      ['POST', '/users', { email: 'bob@example.com' }, 'invalid_request'],
      ['POST', '/users', { email: 'not an email', password: PASSWORD }, 'invalid_email'],
      ['POST', '/users', { email: 'bob@example.com', password: 'short' }, 'password_too_short'],
      ['POST', '/users', { email: 'ann@example.com', password: PASSWORD }, 'email_taken'],
      ['PATCH', `/users/${id}`, {}, 'invalid_request'],
      ['PATCH', `/users/${id}`, { email: 'x@example.com', tokenVersion: 0 }, 'invalid_request'],
      ['POST', `/users/${id}/reset-password`, { password: PASSWORD, extra: true }, 'invalid_request'],
      ['POST', `/users/${id}/reset-password`, { password: 'tiny' }, 'password_too_short'],
      ['POST', `/users/${id}/reset-password`, { password: 'password1234' }, 'password_too_common'],
      ['POST', `/users/${id}/disable`, { now: true }, 'invalid_request'],
    ]
    for (const [method, url, payload, code] of bad) {
      const response = await admin.call(method as 'POST', url, { payload })
      expect(response.statusCode, `${method} ${url} ${JSON.stringify(payload)}`).toBeGreaterThanOrEqual(400)
      expect(response.statusCode).toBeLessThan(500)
      expect(response.json().code, `${method} ${url} ${JSON.stringify(payload)}`).toBe(code)
    }
    const users = (await admin.call('GET', '/users')).json().users
    expect(users).toEqual([created.json().user])
    expect((await signIn(admin.server.app, 'ann@example.com')).response.statusCode).toBe(200)
  })

  it('refuses __proto__ and constructor.prototype keys in the body', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    for (const payload of [
      `{"email":"bob@example.com","password":"${PASSWORD}","__proto__":{"status":"disabled"}}`,
      `{"email":"bob@example.com","password":"${PASSWORD}","constructor":{"prototype":{"admin":true}}}`,
    ]) {
      const response = await admin.call('POST', '/users', { payload, headers: { 'content-type': 'application/json' } })
      expectProblem(response, 400, 'malformed_json')
      expect(({} as Record<string, unknown>).status).toBeUndefined()
      expect(({} as Record<string, unknown>).admin).toBeUndefined()
    }
    // A constructor key without a prototype parses, and the closed schema refuses it.
    const constructorKey = `{"email":"bob@example.com","password":"${PASSWORD}","constructor":{"name":"x"}}`
    expectProblem(
      await admin.call('POST', '/users', { payload: constructorKey, headers: { 'content-type': 'application/json' } }),
      400,
      'invalid_request',
    )
    // Query strings are closed too.
    expectProblem(await admin.call('GET', '/users?__proto__=x'), 400, 'invalid_request')
    expectProblem(await admin.call('GET', '/users?constructor=x'), 400, 'invalid_request')
    expect((await admin.call('GET', '/users')).json().users).toEqual([])
  })

  it('bounds pages and refuses cursors it did not give out, and ids of the wrong shape or kind', async ({ onTestFinished }) => {
    const admin = await adminHarness(onTestFinished)
    for (const query of [
      'limit=0',
      'limit=201',
      'limit=abc',
      'limit=1.5',
      'cursor=',
      'cursor=%%%',
      'cursor=bm90LWEtY3Vyc29y',
      'sort=created', // sort takes id, email or -email
      'search=',
    ]) {
      expectProblem(await admin.call('GET', `/users?${query}`), 400, 'invalid_request')
    }
    // A cursor of another list (its kind is part of it) is refused.
    const foreign = Buffer.from('roles:usr_AAAA').toString('base64url')
    expectProblem(await admin.call('GET', `/users?cursor=${foreign}`), 400, 'invalid_request')
    expectProblem(await admin.call('GET', '/users/ann@example.com'), 400, 'invalid_request')
    expectProblem(await admin.call('GET', '/users/usr_AAAAAAAAAAAAAAAAAAAAAA'), 404, 'user_not_found')
    // An application's client_id is not a user id.
    expectProblem(await admin.call('GET', `/users/${admin.clientId}`), 400, 'invalid_request')
  })
})
