import { describe, expect, it } from 'vitest'
import { expectProblem } from '../../test/admin-client.js'
import { codeIn, linkIn, mailServer, recipient, tokenIn } from '../../test/mail-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { PASSWORD, signIn, signUp } from '../../test/test-server.js'

const NEW_PASSWORD = 'an entirely new passphrase'
const json = (body: object) => ({ headers: { 'content-type': 'application/json' }, payload: body })

for (const dialect of DIALECTS) {
  describe(`email verification over HTTP on ${dialect}`, () => {
    it('sends a link and a code at sign-up; the link verifies once, and email_verified shows in the session', async () => {
      const { server, deliver } = await mailServer(dialect)
      const { token } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      const [message] = await deliver()
      expect(recipient(message)).toBe('ann@example.com')
      expect(linkIn(message)).toMatch(/^https:\/\/id\.example\.test\/ui\/verify-email\?token=/)
      expect(codeIn(message)).toMatch(/^\d{6}$/)
      const session = () => server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } })
      expect((await session()).json().user.emailVerified).toBe(false)

      const confirm = (body: unknown) =>
        server.app.inject({
          method: 'POST',
          url: '/v1/verify-email/confirm',
          headers: { 'content-type': 'application/json' },
          payload: body as object,
        })
      const verified = await confirm({ token: tokenIn(message) })
      expect(verified.statusCode, verified.body).toBe(200)
      expect(verified.json().user).toMatchObject({ email: 'ann@example.com', emailVerified: true })
      expect((await session()).json().user.emailVerified).toBe(true)
      expectProblem(await confirm({ token: tokenIn(message) }), 400, 'account_token_used')
      // Altered, unknown or malformed: one clear error, nothing changes.
      const altered = `${tokenIn(message).slice(0, -2)}${tokenIn(message).endsWith('AA') ? 'BB' : 'AA'}`
      expectProblem(await confirm({ token: altered }), 400, 'account_token_invalid')
      expectProblem(await confirm({ token: 'nonsense' }), 400, 'account_token_invalid')
    })

    it('verifies with the code only for the signed-in user, and kills the code after 5 wrong tries', async () => {
      const { server, deliver } = await mailServer(dialect)
      const { token } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      const [message] = await deliver()
      const code = codeIn(message)
      const wrong = code === '000000' ? '111111' : '000000'
      const confirm = (body: unknown, bearer: string | null = token as string) =>
        server.app.inject({
          method: 'POST',
          url: '/v1/verify-email/confirm',
          headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
          payload: body as object,
        })
      expectProblem(await confirm({ code }, null), 401, 'unauthenticated')
      for (let i = 1; i <= 4; i++) expectProblem(await confirm({ code: wrong }), 400, 'verification_code_invalid')
      expectProblem(await confirm({ code: wrong }), 400, 'verification_code_exhausted')
      // Dead: even the right code is refused now, and nothing changed.
      expectProblem(await confirm({ code }), 400, 'verification_code_invalid')
      expect((await server.tessera.stores.users.findByEmail('ann@example.com'))?.emailVerified).toBe(false)

      // A new message supersedes the old link and code; its code works.
      const resend = await server.app.inject({ method: 'POST', url: '/v1/verify-email', headers: { authorization: `Bearer ${token}` } })
      expect(resend.statusCode, resend.body).toBe(202)
      const [again] = await deliver()
      expectProblem(await confirm({ token: tokenIn(message) }), 400, 'account_token_used')
      const ok = await confirm({ code: codeIn(again) })
      expect(ok.statusCode, ok.body).toBe(200)
      expect(ok.json().user.emailVerified).toBe(true)
    })

    it('refuses an expired link and an expired code (clock injected)', async () => {
      const { server, deliver } = await mailServer(dialect)
      const { token } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      const [message] = await deliver()
      server.clock.advance(10 * 60_000)
      const byCode = await server.app.inject({
        method: 'POST',
        url: '/v1/verify-email/confirm',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        payload: { code: codeIn(message) },
      })
      expectProblem(byCode, 400, 'verification_code_invalid')
      server.clock.advance(24 * 3600_000)
      const byLink = await server.app.inject({ method: 'POST', url: '/v1/verify-email/confirm', ...json({ token: tokenIn(message) }) })
      expectProblem(byLink, 400, 'account_token_expired')
    })
  })

  describe(`password reset over HTTP on ${dialect}`, () => {
    it('answers the same for a known and an unknown address; only the known one gets a link, built from the issuer', async () => {
      const { server, deliver } = await mailServer(dialect)
      await signUp(server.app, 'ann@example.com')
      await deliver()
      const ask = (email: string) =>
        server.app.inject({
          method: 'POST',
          url: '/v1/password-reset',
          // A poisoned Host and X-Forwarded-Host must not reach the link.
          headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'content-type': 'application/json' },
          payload: { email },
        })
      const known = await ask('ann@example.com')
      const unknown = await ask('nobody@example.com')
      expect(known.statusCode).toBe(202)
      expect(unknown.statusCode).toBe(202)
      expect(unknown.body).toBe(known.body)
      expect(unknown.headers['cache-control']).toBe('no-store')
      const messages = await deliver()
      expect(messages).toHaveLength(1)
      expect(recipient(messages[0])).toBe('ann@example.com')
      expect(linkIn(messages[0])).toMatch(/^https:\/\/id\.example\.test\/ui\/reset-password\?token=/)
      expect(messages[0]?.html).not.toContain('evil.example')
    })

    it('resets once: the new password works, every session and token of the user dies, and the owner is told', async () => {
      const { server, deliver } = await mailServer(dialect)
      const { token: sessionToken } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      const before = await server.tessera.stores.users.findByEmail('ann@example.com')
      await deliver()
      await server.app.inject({ method: 'POST', url: '/v1/password-reset', ...json({ email: 'ann@example.com' }) })
      const [message] = await deliver()
      const confirm = (password: string) =>
        server.app.inject({ method: 'POST', url: '/v1/password-reset/confirm', ...json({ token: tokenIn(message), password }) })

      // A password the policy refuses leaves the link alive.
      expectProblem(await confirm('password'), 400, 'password_too_common')
      const done = await confirm(NEW_PASSWORD)
      expect(done.statusCode, done.body).toBe(204)
      expectProblem(await confirm(`${NEW_PASSWORD}!`), 400, 'account_token_used')

      const session = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${sessionToken}` } })
      expect(session.statusCode).toBe(401)
      expect((await server.tessera.stores.users.findByEmail('ann@example.com'))?.tokenVersion).toBe((before?.tokenVersion ?? 0) + 1)
      expect((await signIn(server.app, 'ann@example.com', PASSWORD)).response.statusCode).toBe(401)
      expect((await signIn(server.app, 'ann@example.com', NEW_PASSWORD)).response.statusCode).toBe(200)
      const [notice] = await deliver()
      expect(notice?.subject).toBe('Your Tessera password was changed')
    })

    it('kills a reset link when the password changes by another path, and after 30 minutes', async () => {
      const { server, deliver } = await mailServer(dialect)
      const { body } = await signUp(server.app, 'ann@example.com')
      await deliver()
      const ask = () => server.app.inject({ method: 'POST', url: '/v1/password-reset', ...json({ email: 'ann@example.com' }) })
      await ask()
      const [first] = await deliver()
      await server.tessera.services.users.resetPassword(body.user?.id as string, NEW_PASSWORD, { kind: 'cli' })
      const refused = await server.app.inject({
        method: 'POST',
        url: '/v1/password-reset/confirm',
        ...json({ token: tokenIn(first), password: 'yet another passphrase' }),
      })
      expectProblem(refused, 400, 'account_token_used')

      await ask()
      const messages = await deliver()
      const second = messages.find((each) => each.subject?.startsWith('Reset'))
      server.clock.advance(30 * 60_000)
      const late = await server.app.inject({
        method: 'POST',
        url: '/v1/password-reset/confirm',
        ...json({ token: tokenIn(second), password: 'yet another passphrase' }),
      })
      expectProblem(late, 400, 'account_token_expired')
    })

    it('keeps a verification link from resetting a password (purpose-bound tokens)', async () => {
      const { server, deliver } = await mailServer(dialect)
      await signUp(server.app, 'ann@example.com')
      const [verification] = await deliver()
      const misuse = await server.app.inject({
        method: 'POST',
        url: '/v1/password-reset/confirm',
        ...json({ token: tokenIn(verification), password: NEW_PASSWORD }),
      })
      expectProblem(misuse, 400, 'account_token_invalid')
      expect((await signIn(server.app, 'ann@example.com', PASSWORD)).response.statusCode).toBe(200)
    })

    it('limits reset requests per address without telling whether it exists', async () => {
      const { server } = await mailServer(dialect)
      for (const email of ['ann@example.com', 'nobody@example.com']) {
        for (let i = 0; i < 5; i++) {
          const ok = await server.app.inject({ method: 'POST', url: '/v1/password-reset', ...json({ email }) })
          expect(ok.statusCode).toBe(202)
        }
        expectProblem(await server.app.inject({ method: 'POST', url: '/v1/password-reset', ...json({ email }) }), 429, 'rate_limited')
      }
    })

    it('puts no token or link in events, the audit log or the logs', async () => {
      const logLines: string[] = []
      const { server, deliver } = await mailServer(dialect, { logLines })
      await signUp(server.app, 'ann@example.com')
      await server.app.inject({ method: 'POST', url: '/v1/password-reset', ...json({ email: 'ann@example.com' }) })
      const messages = await deliver()
      const tokens = messages.map(tokenIn)
      expect(tokens).toHaveLength(2)
      await server.tessera.services.audit.catchUp()
      const events = JSON.stringify(await server.tessera.stores.events.listAfter(0, 1000))
      const audit = JSON.stringify(await server.tessera.services.audit.list({ limit: 200 }))
      const deliveries = JSON.stringify(await server.tessera.email.service.list({ limit: 200 }))
      for (const token of tokens) {
        const secret = token.split('.')[1] as string
        for (const [where, text] of Object.entries({ events, audit, deliveries, logs: logLines.join('\n') })) {
          expect(text.includes(secret), where).toBe(false)
        }
      }
      expect(events).toContain('user.password_reset_requested')
    })
  })

  describe(`change of password and address on ${dialect}`, () => {
    it('changes the password with the current one, keeps this session, revokes the others and tells the owner', async () => {
      const { server, deliver } = await mailServer(dialect)
      const { token } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      const { token: other } = await signIn(server.app, 'ann@example.com', PASSWORD, { transport: 'bearer' })
      await deliver()
      const change = (body: unknown) =>
        server.app.inject({
          method: 'POST',
          url: '/v1/password',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          payload: body as object,
        })
      expectProblem(await change({ currentPassword: 'not my password', newPassword: NEW_PASSWORD }), 401, 'invalid_credentials')
      server.clock.advance(6 * 60_000)
      expectProblem(await change({ newPassword: NEW_PASSWORD }), 403, 'reauthentication_required')
      const userId = (await server.tessera.stores.users.findByEmail('ann@example.com'))?.id as string
      const versionBefore = (await server.tessera.stores.users.findById(userId))?.tokenVersion as number
      const ok = await change({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD })
      expect(ok.statusCode, ok.body).toBe(204)
      // The token version rises and the revocation log says so: tokens issued before die everywhere.
      expect((await server.tessera.stores.users.findById(userId))?.tokenVersion).toBe(versionBefore + 1)
      const live = await server.tessera.stores.revocations.listLive(server.clock.now())
      expect(live.map((stored) => stored.entry)).toContainEqual({
        kind: 'user_token_version',
        sub: userId,
        minTokenVersion: versionBefore + 1,
      })
      const me = (bearer: string | undefined) =>
        server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${bearer}` } })
      expect((await me(token)).statusCode).toBe(200)
      expect((await me(other)).statusCode).toBe(401)
      const [notice] = await deliver()
      expect(notice?.subject).toBe('Your Tessera password was changed')
    })

    it('moves the account to a new address only once the link sent there is used, and tells the old address', async () => {
      const { server, deliver } = await mailServer(dialect)
      const { token } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      await deliver()
      const asked = await server.app.inject({
        method: 'POST',
        url: '/v1/email',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: { email: 'ann@new.example' },
      })
      expect(asked.statusCode, asked.body).toBe(202)
      const messages = await deliver()
      const confirmation = messages.find((each) => recipient(each) === 'ann@new.example')
      const notice = messages.find((each) => recipient(each) === 'ann@example.com')
      expect(notice?.text).toContain('ann@new.example')
      expect((await server.tessera.stores.users.findByEmail('ann@example.com'))?.email).toBe('ann@example.com')

      const confirmed = await server.app.inject({ method: 'POST', url: '/v1/email/confirm', ...json({ token: tokenIn(confirmation) }) })
      expect(confirmed.statusCode, confirmed.body).toBe(200)
      expect(confirmed.json().user).toMatchObject({ email: 'ann@new.example', emailVerified: true })
      const [changed] = await deliver()
      expect(recipient(changed)).toBe('ann@example.com')
      expect(changed?.subject).toContain('was changed')
    })
  })
}
