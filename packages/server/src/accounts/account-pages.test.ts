import { describe, expect, it } from 'vitest'
import { mailServer, tokenIn } from '../../test/mail-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { ORIGIN, signIn, signUp } from '../../test/test-server.js'

const NEW_PASSWORD = 'a fresh and long passphrase'
const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...headers },
  payload: new URLSearchParams(fields).toString(),
})

for (const dialect of DIALECTS) {
  describe(`hosted account pages on ${dialect}`, () => {
    it('takes a person from "Forgot your password?" through the emailed link to signing in with the new password', async () => {
      const { server, deliver } = await mailServer(dialect)
      await signUp(server.app, 'ann@example.com')
      await deliver()

      const forgot = await server.app.inject({ method: 'GET', url: '/ui/forgot-password' })
      expect(forgot.statusCode).toBe(200)
      expect(forgot.body).toContain('action="/ui/forgot-password"')
      // The form starts a recovery flow in this browser (flows/recovery-routes.ts) and goes to its code page.
      const asked = await server.app.inject({ method: 'POST', url: '/ui/forgot-password', ...form({ email: 'ann@example.com' }) })
      expect(asked.statusCode, asked.body).toBe(303)
      expect(asked.headers.location).toMatch(/^\/ui\/recovery\?request=/)
      const binding = asked.cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ')
      const codePage = await server.app.inject({ method: 'GET', url: asked.headers.location as string, headers: { cookie: binding } })
      expect(codePage.body).toContain('Check your email')

      const [message] = await deliver()
      const token = tokenIn(message)
      const page = await server.app.inject({ method: 'GET', url: `/ui/reset-password?token=${encodeURIComponent(token)}` })
      expect(page.statusCode).toBe(200)
      expect(page.headers['referrer-policy']).toBe('no-referrer')
      expect(page.headers['cache-control']).toBe('no-store')
      expect(page.body).toContain('name="token"')

      // A cross-site post is refused before anything happens.
      const forged = await server.app.inject({
        method: 'POST',
        url: '/ui/reset-password',
        ...form({ token, password: NEW_PASSWORD }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
      })
      expect(forged.statusCode).toBe(403)
      // A refused password brings the form back, and the link still works.
      const weak = await server.app.inject({ method: 'POST', url: '/ui/reset-password', ...form({ token, password: 'password' }) })
      expect(weak.statusCode).toBe(400)
      expect(weak.body).toContain('too easy to guess')
      expect(weak.body).toContain('name="password"')
      const done = await server.app.inject({ method: 'POST', url: '/ui/reset-password', ...form({ token, password: NEW_PASSWORD }) })
      expect(done.statusCode, done.body).toBe(200)
      expect(done.body).toContain('Your password was changed')
      const again = await server.app.inject({ method: 'POST', url: '/ui/reset-password', ...form({ token, password: NEW_PASSWORD }) })
      expect(again.statusCode).toBe(400)
      expect(again.body).toContain('used already')

      expect((await signIn(server.app, 'ann@example.com', NEW_PASSWORD)).response.statusCode).toBe(200)
    })

    it('confirms an address only when the person presses the button, never on the GET a mail scanner makes', async () => {
      const { server, deliver } = await mailServer(dialect)
      await signUp(server.app, 'ann@example.com')
      const [message] = await deliver()
      const token = tokenIn(message)
      const page = await server.app.inject({ method: 'GET', url: `/ui/verify-email?token=${encodeURIComponent(token)}` })
      expect(page.statusCode).toBe(200)
      expect((await server.tessera.stores.users.findByEmail('ann@example.com'))?.emailVerified).toBe(false)
      const confirmed = await server.app.inject({ method: 'POST', url: '/ui/verify-email', ...form({ token }) })
      expect(confirmed.statusCode, confirmed.body).toBe(200)
      expect(confirmed.body).toContain('ann@example.com')
      expect((await server.tessera.stores.users.findByEmail('ann@example.com'))?.emailVerified).toBe(true)
      const bad = await server.app.inject({ method: 'POST', url: '/ui/verify-email', ...form({ token: 'x.y' }) })
      expect(bad.statusCode).toBe(400)
      expect(bad.body).toContain('not valid')
    })
  })
}
