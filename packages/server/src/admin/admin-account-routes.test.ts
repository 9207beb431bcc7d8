import { describe, expect, it } from 'vitest'
import { adminHarness, expectProblem } from '../../test/admin-client.js'
import { startSmtpServer } from '../../test/smtp-fixture.js'

describe('admin API: operators and a user’s email', () => {
  it('sends a verification message, vouches for an address, and sends a reset link, all audited', async ({ onTestFinished }) => {
    const smtp = await startSmtpServer()
    onTestFinished(() => smtp.close())
    const admin = await adminHarness(onTestFinished, 'sqlite', { email: { smtpUrl: `smtp://127.0.0.1:${smtp.port}` } })
    const { server } = admin
    const tick = async () => (server.tessera.email.dispatcher ? server.tessera.email.dispatcher.tick() : null)
    // An operator's account gets no message unless asked for one.
    const quiet = await admin.call('POST', '/users', { payload: { email: 'bob@example.com', password: 'correct horse battery staple' } })
    expect(quiet.statusCode, quiet.body).toBe(201)
    await tick()
    expect(smtp.messages).toHaveLength(0)
    const created = await admin.call('POST', '/users', {
      payload: { email: 'ann@example.com', password: 'correct horse battery staple', sendVerification: true },
    })
    expect(created.statusCode, created.body).toBe(201)
    const user = created.json().user as { id: string }
    await tick()
    expect(smtp.messages.map((message) => message.subject)).toEqual(['Confirm your email address for Tessera'])

    const resend = await admin.call('POST', `/users/${user.id}/send-verification-email`)
    expect(resend.statusCode, resend.body).toBe(202)
    await tick()
    expect(smtp.messages).toHaveLength(2)

    const vouched = await admin.call('POST', `/users/${user.id}/mark-email-verified`)
    expect(vouched.statusCode, vouched.body).toBe(200)
    expect(vouched.json().user.emailVerified).toBe(true)
    expect((await admin.call('GET', `/users/${user.id}`)).json().user.emailVerified).toBe(true)

    const reset = await admin.call('POST', `/users/${user.id}/send-password-reset`)
    expect(reset.statusCode, reset.body).toBe(202)
    await tick()
    expect(smtp.messages.at(-1)?.subject).toBe('Reset your Tessera password')
    expectProblem(await admin.call('POST', '/users/usr_AAAAAAAAAAAAAAAAAAAAAA/send-password-reset'), 404, 'user_not_found')

    await server.tessera.services.audit.catchUp()
    const actions = (await admin.call('GET', `/audit?userId=${user.id}`)).json().entries.map((entry: { action: string }) => entry.action)
    expect(actions).toEqual(
      expect.arrayContaining(['user.email_verification_requested', 'user.email_verified', 'user.password_reset_requested']),
    )
  })
})
