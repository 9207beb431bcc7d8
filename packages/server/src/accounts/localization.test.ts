import { describe, expect, it } from 'vitest'
import { linkIn, mailServer } from '../../test/mail-fixture.js'
import { authorizeUrl, Browser, codeRequest, location, createClient as oidcClient, pkce, serve } from '../../test/oidc-fixture.js'
import { PASSWORD } from '../../test/test-server.js'

const json = (url: string, body: object, language?: string) => ({
  method: 'POST' as const,
  url,
  headers: { 'content-type': 'application/json', ...(language ? { 'accept-language': language } : {}) },
  payload: body,
})

describe('hosted pages speak the language asked for (issue 12 part 6)', () => {
  it('follows Accept-Language, and falls back to English', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const french = await server.app.inject({ url: '/ui/forgot-password', headers: { 'accept-language': 'fr-CH, en;q=0.5' } })
    expect(french.body).toContain('<html lang="fr">')
    expect(french.body).toContain('Mot de passe oublié ?')
    const other = await server.app.inject({ url: '/ui/forgot-password', headers: { 'accept-language': 'ja' } })
    expect(other.body).toContain('<html lang="en">')
    expect(other.body).toContain('Forgot your password?')
  })

  it('prefers the authorization request’s ui_locales to Accept-Language, on every page of its flow', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const client = await oidcClient(server)
    const browser = new Browser(server.app)
    const english = { 'accept-language': 'en' }
    const signIn = location(await browser.get(authorizeUrl(codeRequest(client, pkce().challenge, { ui_locales: 'fr-CA en' })), english))
    const page = await browser.get(signIn.pathname + signIn.search, english)
    expect(page.body).toContain('<html lang="fr">')
    expect(page.body).toContain('Se connecter')
    expect(page.body).toContain('Mot de passe oublié ?')
    const signUp = await browser.get(`/ui/sign-up${signIn.search}`, english)
    expect(signUp.body).toContain('Créer un compte')
    // A refusal on the form is said in the flow's language too.
    const refused = await browser.post('/ui/sign-in', {
      ...Object.fromEntries([...page.body.matchAll(/name="(request|csrf)" value="([^"]*)"/g)].map((m) => [m[1], m[2]])),
      email: 'nobody@example.com',
      password: 'wrong password here',
    })
    expect(refused.statusCode).toBe(401)
    expect(refused.body).toContain('L’adresse e-mail ou le mot de passe est incorrect.')
  })

  it('uses the configured default when the browser asks for nothing Tessera speaks', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished, 'sqlite', { defaultLocale: 'fr' })
    const page = await server.app.inject({ url: '/ui/verify-email/resend', headers: { 'accept-language': 'ja, de;q=0.5' } })
    expect(page.body).toContain('Renvoyer la confirmation')
    const english = await server.app.inject({ url: '/ui/verify-email/resend', headers: { 'accept-language': 'en-GB' } })
    expect(english.body).toContain('Send the confirmation again')
  })
})

describe('messages speak the language of the request that caused them', () => {
  it('sends the verification and reset messages in French to a French browser, in English otherwise', async () => {
    const { server, deliver } = await mailServer('sqlite')
    await server.app.inject(json('/v1/sign-up', { email: 'anne@example.com', password: PASSWORD }, 'fr-FR,fr;q=0.9'))
    const [verify] = await deliver()
    expect(verify?.subject).toBe('Confirmez votre adresse e-mail pour Tessera')
    expect(verify?.text).toContain('pendant 24 heures')
    expect(verify?.html).toContain('<html lang="fr">')
    expect(verify?.html).toContain('Confirmer mon adresse')
    expect(linkIn(verify)).toContain('/ui/verify-email?token=')

    await server.app.inject(json('/v1/password-reset', { email: 'anne@example.com' }, 'fr'))
    await server.app.inject(json('/v1/password-reset', { email: 'anne@example.com' }))
    const [french, english] = await deliver()
    expect(french?.subject).toBe('Réinitialisez votre mot de passe Tessera')
    expect(french?.text).toContain('pendant 30 minutes')
    expect(english?.subject).toBe('Reset your Tessera password')
  })
})
