import { describe, expect, it } from 'vitest'
import { authorizeUrl, Browser, codeRequest, createClient, obtainCode, pkce, serve } from '../../test/oidc-fixture.js'
import { signUp } from '../../test/test-server.js'
import { en } from '../i18n/catalogues/en.js'

const NAME = '__Host-tessera_session'

describe('two session cookies on the hosted pages', () => {
  it('are refused with a 400 page at the authorization and logout endpoints, and sign nobody out (docs/sessions.md)', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    const { token } = await signUp(server.app, 'ann@example.com')
    const client = await createClient(server)
    const browser = new Browser(server.app)
    await obtainCode(server, browser, client, pkce().challenge)
    const own = browser.cookies.get(NAME) as string
    const cookie = `${NAME}=${own}; ${NAME}=tossed`
    for (const url of [authorizeUrl(codeRequest(client, pkce().challenge)), `/oauth/logout?client_id=${client.id}`]) {
      const response = await server.app.inject({ method: 'GET', url, headers: { cookie } })
      expect(response.statusCode, url).toBe(400)
      expect(response.headers['content-type']).toMatch(/^text\/html/)
      // The page explains it in the catalogue's words (the wording lives in i18n/, not here).
      expect(response.body).toContain(en['error.duplicate_session_cookie'])
      expect(response.headers.location).toBeUndefined()
    }
    // Both sessions are still alive.
    for (const each of [token as string, own]) {
      const session = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${each}` } })
      expect(session.statusCode).toBe(200)
    }
  })
})
