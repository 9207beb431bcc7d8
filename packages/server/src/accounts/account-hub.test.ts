import { describe, expect, it } from 'vitest'
import { linkIn, mailServer, recipient, tokenIn } from '../../test/mail-fixture.js'
import { hiddenFields } from '../../test/oidc-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { ORIGIN, PASSWORD, signIn, signUp } from '../../test/test-server.js'

const NEW_PASSWORD = 'an entirely new passphrase'

for (const dialect of DIALECTS) {
  describe(`the account hub /ui/account on ${dialect}`, () => {
    it('shows the profile, resends the confirmation, lists sessions and signs one out, with a session-bound form token', async () => {
      const { server, deliver } = await mailServer(dialect)
      const { cookieHeader } = await signUp(server.app, 'ann@example.com')
      await deliver()
      const other = await signIn(server.app, 'ann@example.com', PASSWORD, { transport: 'bearer' })
      const get = (url: string) => server.app.inject({ url, headers: { cookie: cookieHeader as string } })
      const post = (url: string, form: Record<string, string>, origin = ORIGIN) =>
        server.app.inject({
          method: 'POST',
          url,
          headers: { cookie: cookieHeader as string, origin, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(form).toString(),
        })

      const hub = await get('/ui/account')
      expect(hub.statusCode).toBe(200)
      expect(hub.headers['cache-control']).toBe('no-store')
      expect(hub.body).toContain('ann@example.com')
      expect(hub.body).toContain('not confirmed yet')
      expect(hub.body).toContain('href="/ui/account/security"')
      expect(hub.body).toContain('href="/ui/account/connections"')
      expect(hub.body).toContain('(this device)')
      const { csrf } = hiddenFields(hub.body)
      expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/)

      // Without the token, with another session's, or cross-site: refused, nothing sent.
      expect((await post('/ui/account/verify-email', {})).statusCode).toBe(403)
      expect((await post('/ui/account/verify-email', { csrf: 'x'.repeat(43) })).statusCode).toBe(403)
      expect((await post('/ui/account/verify-email', { csrf: csrf as string }, 'https://evil.example')).statusCode).toBe(403)
      expect(await deliver()).toHaveLength(0)

      const resent = await post('/ui/account/verify-email', { csrf: csrf as string })
      expect(resent.statusCode).toBe(303)
      expect(resent.headers.location).toBe('/ui/account?done=verification')
      const [verify] = await deliver()
      expect(linkIn(verify)).toContain('/ui/verify-email?token=')
      expect((await get('/ui/account?done=verification')).body).toContain('A new confirmation link is on its way.')

      const otherId = other.body.session?.id as string
      expect(hub.body).toContain(`value="${otherId}"`)
      const revoked = await post('/ui/account/sessions/revoke', { csrf: csrf as string, sessionId: otherId })
      expect(revoked.statusCode).toBe(303)
      const dead = await server.app.inject({ url: '/v1/session', headers: { authorization: `Bearer ${other.token}` } })
      expect(dead.statusCode).toBe(401)
      expect((await get('/ui/account')).body).not.toContain(`value="${otherId}"`)
    })

    it('changes the address through the link on /ui/confirm-email, and the password with the current one', async () => {
      const { server, deliver } = await mailServer(dialect)
      const { cookieHeader } = await signUp(server.app, 'ann@example.com')
      await deliver()
      const other = await signIn(server.app, 'ann@example.com', PASSWORD, { transport: 'bearer' })
      const hub = await server.app.inject({ url: '/ui/account', headers: { cookie: cookieHeader as string } })
      const { csrf } = hiddenFields(hub.body)
      const post = (url: string, form: Record<string, string>) =>
        server.app.inject({
          method: 'POST',
          url,
          headers: { cookie: cookieHeader as string, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ csrf: csrf as string, ...form }).toString(),
        })

      expect((await post('/ui/account/email', { email: 'ann@new.example.com' })).statusCode).toBe(303)
      const messages = await deliver()
      const confirm = messages.find((message) => recipient(message) === 'ann@new.example.com')
      expect(messages.map(recipient).sort()).toEqual(['ann@example.com', 'ann@new.example.com'])
      expect(linkIn(confirm)).toContain('/ui/confirm-email?token=')
      const page = await server.app.inject({ url: `/ui/confirm-email?token=${tokenIn(confirm)}` })
      expect(page.statusCode).toBe(200)
      expect(page.headers['referrer-policy']).toBe('no-referrer')
      expect(hiddenFields(page.body).token).toBe(tokenIn(confirm))
      const form = {
        method: 'POST' as const,
        url: '/ui/confirm-email',
        headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      }
      const switched = await server.app.inject({ ...form, payload: new URLSearchParams({ token: tokenIn(confirm) }).toString() })
      expect(switched.statusCode).toBe(200)
      expect(switched.body).toContain('ann@new.example.com')
      const again = await server.app.inject({ ...form, payload: new URLSearchParams({ token: tokenIn(confirm) }).toString() })
      expect(again.statusCode).toBe(400)
      expect(again.body).toContain('has been used already')
      expect((await deliver()).map(recipient)).toEqual(['ann@example.com'])

      const wrong = await post('/ui/account/password', { currentPassword: 'not my password at all', newPassword: NEW_PASSWORD })
      expect(wrong.statusCode).toBe(401)
      expect(wrong.body).toContain('The email address or password is wrong.')
      const weak = await post('/ui/account/password', { currentPassword: PASSWORD, newPassword: 'password' })
      expect(weak.statusCode).toBe(400)
      const changed = await post('/ui/account/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
      expect(changed.statusCode).toBe(303)
      expect((await server.app.inject({ url: '/v1/session', headers: { authorization: `Bearer ${other.token}` } })).statusCode).toBe(401)
      expect((await signIn(server.app, 'ann@new.example.com', NEW_PASSWORD)).response.statusCode).toBe(200)
      expect((await deliver()).map((message) => message.subject)).toEqual(['Your Tessera password was changed'])
    })
  })
}

/** The cookies a response sets, as a request's Cookie header. */
function cookiesOf(response: { headers: Record<string, unknown> }): string {
  const set = response.headers['set-cookie']
  const all = Array.isArray(set) ? set : set === undefined ? [] : [String(set)]
  return all.map((cookie) => String(cookie).split(';')[0]).join('; ')
}

describe('the account hub without a session', () => {
  it('sends the browser to sign in and back to the hub, and its forms change nothing', async () => {
    const { server } = await mailServer('sqlite')
    const page = await server.app.inject({ url: '/ui/account', headers: { 'accept-language': 'fr' } })
    expect(page.statusCode).toBe(303)
    expect(page.headers.location).toMatch(/^\/ui\/sign-in\?request=/)
    const signIn = await server.app.inject({
      url: page.headers.location as string,
      headers: { 'accept-language': 'fr', cookie: cookiesOf(page) },
    })
    expect(signIn.statusCode).toBe(200)
    const posted = await server.app.inject({
      method: 'POST',
      url: '/ui/account/password',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'csrf=x&currentPassword=a&newPassword=b',
    })
    expect(posted.statusCode).toBe(401)
  })
})
