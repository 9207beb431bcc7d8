import { decodeJwt } from 'jose'
import * as oauth from 'oauth4webapi'
import { describe, expect, it } from 'vitest'
import {
  Browser,
  createApi,
  createClient,
  createUser,
  discover,
  obtainCode,
  pkce,
  redeem,
  serve,
  token,
} from '../../../test/oidc-fixture.js'

/** OIDC Core §12.2: a refresh of a grant that included `openid` returns a new ID token (issue 16 part 3). */
describe('an ID token on refresh', () => {
  it('comes back on every refresh of an openid grant, with the original auth_time, the session sid and amr, and no nonce (oauth4webapi validates it)', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    server.clock.set(Date.now())
    const userId = await createUser(server)
    const registered = await createClient(server)
    const { as, options } = await discover(server)
    const client: oauth.Client = { client_id: registered.id }
    const auth = oauth.ClientSecretBasic(registered.secret as string)

    const { verifier, challenge } = pkce()
    const code = await obtainCode(server, new Browser(server.app), registered, challenge)
    const first = await redeem(server.app, registered, code, verifier)
    expect(first.statusCode).toBe(200)
    const original = decodeJwt(first.json().id_token)
    expect(original.nonce).toBe('nonce-456')

    // Later: the new ID token is issued now, but says when the user signed in.
    server.clock.advance(120_000)
    const response = await oauth.refreshTokenGrantRequest(as, client, auth, first.json().refresh_token, options)
    const refreshed = await oauth.processRefreshTokenResponse(as, client, response)
    const claims = oauth.getValidatedIdTokenClaims(refreshed)
    expect(claims).toBeDefined()
    expect(claims?.sub).toBe(userId)
    expect(claims?.aud).toBe(registered.id)
    expect(claims?.auth_time).toBe(original.auth_time)
    expect(claims?.iat).toBe((original.iat as number) + 120)
    expect(claims?.sid).toBe(original.sid)
    expect(claims?.amr).toEqual(['pwd'])
    expect(claims?.acr).toBe(original.acr)
    expect(claims?.email).toBe('ann@example.com')
    expect(claims?.nonce).toBeUndefined()

    // And again from the successor: the family keeps the grant's OpenID scopes.
    const again = await token(server.app, registered, { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token as string })
    expect(again.statusCode).toBe(200)
    const third = decodeJwt(again.json().id_token)
    expect(third.auth_time).toBe(original.auth_time)
    expect(third.sub).toBe(userId)
  })

  it('keeps the OpenID scopes when the grant was for an API, so the ID token still carries the email', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createApi(server)
    await createUser(server)
    const registered = await createClient(server, { apis: ['https://api.example.test'], scopes: ['read'] })
    const { verifier, challenge } = pkce()
    const code = await obtainCode(server, new Browser(server.app), registered, challenge, {
      extra: { resource: 'https://api.example.test', scope: 'openid email offline_access read' },
    })
    const first = await redeem(server.app, registered, code, verifier)
    expect(first.statusCode).toBe(200)
    const refreshed = await token(server.app, registered, { grant_type: 'refresh_token', refresh_token: first.json().refresh_token })
    expect(refreshed.statusCode).toBe(200)
    const claims = decodeJwt(refreshed.json().id_token)
    expect(claims.email).toBe('ann@example.com')
    expect(decodeJwt(refreshed.json().access_token).aud).toBe('https://api.example.test')
  })

  it('is not returned when the grant did not include openid', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const registered = await createClient(server)
    const { verifier, challenge } = pkce()
    const code = await obtainCode(server, new Browser(server.app), registered, challenge, {
      extra: { scope: 'offline_access', nonce: undefined },
    })
    const first = await redeem(server.app, registered, code, verifier)
    expect(first.statusCode).toBe(200)
    expect(first.json().id_token).toBeUndefined()
    const refreshed = await token(server.app, registered, { grant_type: 'refresh_token', refresh_token: first.json().refresh_token })
    expect(refreshed.statusCode).toBe(200)
    expect(refreshed.json().id_token).toBeUndefined()
  })

  it('is never issued for a session that has ended, nor to another client presenting the token', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const registered = await createClient(server)
    const other = await createClient(server, { name: 'Other app' })
    const { verifier, challenge } = pkce()
    const code = await obtainCode(server, new Browser(server.app), registered, challenge)
    const first = await redeem(server.app, registered, code, verifier)
    const refreshToken = first.json().refresh_token as string

    const stolen = await token(server.app, other, { grant_type: 'refresh_token', refresh_token: refreshToken })
    expect(stolen.statusCode).toBe(400)
    expect(stolen.json()).toEqual({ error: 'invalid_grant' })
    expect(stolen.json().id_token).toBeUndefined()

    const sid = decodeJwt(first.json().id_token).sid as string
    await server.tessera.services.sessions.revoke(sid, { reason: 'sign_out', actor: { kind: 'cli' } })
    const after = await token(server.app, registered, { grant_type: 'refresh_token', refresh_token: refreshToken })
    expect(after.statusCode).toBe(400)
    expect(after.json().error).toBe('invalid_grant')
    expect(after.json().id_token).toBeUndefined()
  })
})
