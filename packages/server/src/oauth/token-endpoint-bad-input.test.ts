import type { LightMyRequestResponse } from 'fastify'
import { decodeJwt } from 'jose'
import { describe, expect, it } from 'vitest'
import {
  API,
  basic,
  createApi,
  createClient,
  createUser,
  exchange,
  post,
  SESSION_TOKEN_TYPE,
  serve,
  TOKEN_EXCHANGE,
} from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import type { TestServer } from '../../test/test-server.js'
import { clientThrottle, countRows, expectOAuthError, world } from '../../test/token-endpoint-fixture.js'

for (const dialect of DIALECTS) {
  describe.concurrent(`bad input at the token endpoint on ${dialect}`, () => {
    /** Sends `request` and asserts the error, and that nothing was issued, revoked or recorded. */
    async function expectRefusedWithoutChange(
      server: TestServer,
      request: () => Promise<LightMyRequestResponse>,
      status: number,
      error: string,
    ) {
      const before = await countRows(server)
      expectOAuthError(await request(), status, error)
      expect(await countRows(server)).toEqual(before)
    }

    it('refuses a repeated parameter with invalid_request', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const params: [string, string][] = [
        ['grant_type', TOKEN_EXCHANGE],
        ['grant_type', TOKEN_EXCHANGE],
        ['subject_token', user.token],
        ['subject_token_type', SESSION_TOKEN_TYPE],
        ['resource', API],
      ]
      await expectRefusedWithoutChange(server, () => post(server, '/oauth/token', params, client), 400, 'invalid_request')
      const scopeTwice: [string, string][] = [...params.slice(1), ['scope', 'read'], ['scope', 'write']]
      await expectRefusedWithoutChange(server, () => post(server, '/oauth/token', scopeTwice, client), 400, 'invalid_request')
    })

    it('refuses a JSON body, an empty body and a body of another media type with invalid_request', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const payload = { grant_type: TOKEN_EXCHANGE, subject_token: user.token, subject_token_type: SESSION_TOKEN_TYPE, resource: API }
      const json = () =>
        server.app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { authorization: basic(client), 'content-type': 'application/json' },
          payload: JSON.stringify(payload),
        })
      await expectRefusedWithoutChange(server, json, 400, 'invalid_request')
      const noBody = () => server.app.inject({ method: 'POST', url: '/oauth/token', headers: { authorization: basic(client) } })
      await expectRefusedWithoutChange(server, noBody, 400, 'invalid_request')
      const text = () =>
        server.app.inject({
          method: 'POST',
          url: '/oauth/token',
          headers: { authorization: basic(client), 'content-type': 'text/plain' },
          payload: 'grant_type=client_credentials',
        })
      await expectRefusedWithoutChange(server, text, 400, 'invalid_request')
    })

    it('refuses an unknown grant type with unsupported_grant_type, and a missing one with invalid_request', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client } = await world(server)
      // The dispatch is a table keyed by grant_type: names of Object.prototype must not reach it.
      for (const grant of ['password', 'implicit', 'urn:example:unknown', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        await expectRefusedWithoutChange(
          server,
          () => post(server, '/oauth/token', { grant_type: grant }, client),
          400,
          'unsupported_grant_type',
        )
      }
      await expectRefusedWithoutChange(server, () => post(server, '/oauth/token', { resource: API }, client), 400, 'invalid_request')
    })

    it('refuses a wrong client secret with 401 invalid_client and a Basic challenge', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const before = await countRows(server)
      const response = await exchange(server, { id: client.id, secret: 'wrong-secret-7f3a' }, user.token)
      expectOAuthError(response, 401, 'invalid_client')
      expect(response.headers['www-authenticate']).toBe('Basic realm="tessera"')
      // Never a secret or a token in an error.
      expect(response.body).not.toContain('wrong-secret-7f3a')
      expect(response.body).not.toContain(user.token.split('.')[1])
      expect(await countRows(server)).toEqual(before)
      const unknown = await exchange(server, { id: 'no-such-client', secret: 'wrong' }, user.token)
      expectOAuthError(unknown, 401, 'invalid_client')
      const none = await post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API }, null)
      expectOAuthError(none, 401, 'invalid_client')
      expect(none.headers['www-authenticate']).toBe('Basic realm="tessera"')
    })

    it('throttles a client’s wrong secrets after its free failures: 429 with Retry-After, uncounted, while its right secret still works', async ({
      onTestFinished,
    }) => {
      // Issue 17: the right secret is no longer refused during a lockout (docs/tokens.md "Client
      // authentication and throttling"); before, it got the same 429 as a wrong one.
      const server = await serve(onTestFinished, dialect, { signIn: { freeFailures: 3 } })
      const { client, user } = await world(server)
      for (let attempt = 0; attempt < 3; attempt++) {
        expectOAuthError(await exchange(server, { id: client.id, secret: `wrong-${attempt}` }, user.token), 401, 'invalid_client')
      }
      const locked = await clientThrottle(server, client.id)
      expect(locked).toMatchObject({ failures: 3 })
      expect(locked?.locked_until).toBeGreaterThan(server.clock.now())
      const before = await countRows(server)
      // During the lockout a wrong secret learns nothing: 429 as before, and it is not counted.
      const throttled = await exchange(server, { id: client.id, secret: 'wrong-during-lockout' }, user.token)
      expect(throttled.statusCode, throttled.body).toBe(429)
      expect(throttled.json().error).toBe('invalid_client')
      expect(throttled.body).not.toContain('wrong-during-lockout')
      const retryAfter = Number(throttled.headers['retry-after'])
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(await countRows(server)).toEqual(before)
      expect(await clientThrottle(server, client.id)).toEqual(locked)
      // The right secret is served at once, and neither reads nor clears the count.
      const served = await exchange(server, client, user.token)
      expect(served.statusCode, served.body).toBe(200)
      expect(await clientThrottle(server, client.id)).toEqual(locked)
      // Once the wait is over, the next wrong secret is counted and locks again, for twice as long.
      server.clock.advance(retryAfter * 1000)
      expectOAuthError(await exchange(server, { id: client.id, secret: 'wrong-after' }, user.token), 401, 'invalid_client')
      const relocked = await clientThrottle(server, client.id)
      expect(relocked?.failures).toBe(4)
      expect((relocked?.locked_until ?? 0) - server.clock.now()).toBe(2 * ((locked?.locked_until ?? 0) - (locked?.updated_at ?? 0)))
      expect((await exchange(server, client, user.token)).statusCode).toBe(200)
    })

    it('throttles an unknown client id like a known one, and never a public client', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect, { signIn: { freeFailures: 2 } })
      await world(server)
      const unknown = { id: 'no-such-client', secret: 'guess' }
      for (let attempt = 0; attempt < 2; attempt++)
        expectOAuthError(
          await post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API }, unknown),
          401,
          'invalid_client',
        )
      const throttled = await post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API }, unknown)
      expect(throttled.statusCode, throttled.body).toBe(429)
      expect(throttled.json().error).toBe('invalid_client')
      // A public client has no secret to guess: its failures are not counted, so nobody can lock it out.
      const spa = await createClient(server, { type: 'spa' })
      for (let attempt = 0; attempt < 4; attempt++) {
        expectOAuthError(
          await post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API }, { id: spa.id, secret: 'x' }),
          401,
          'invalid_client',
        )
      }
      expect(await clientThrottle(server, spa.id)).toBeUndefined()
    })

    it('refuses parameters in the query string with invalid_request', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const body = { grant_type: TOKEN_EXCHANGE, subject_token: user.token, subject_token_type: SESSION_TOKEN_TYPE, resource: API }
      const secretInUrl = () =>
        post(server, `/oauth/token?client_secret=${encodeURIComponent(client.secret as string)}`, { ...body, client_id: client.id }, null)
      await expectRefusedWithoutChange(server, secretInUrl, 400, 'invalid_request')
      const tokenInUrl = () => post(server, `/oauth/token?subject_token=${user.token}`, body, client)
      await expectRefusedWithoutChange(server, tokenInUrl, 400, 'invalid_request')
    })

    it('refuses Basic credentials together with a client_secret in the body with invalid_request', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const request = () =>
        post(
          server,
          '/oauth/token',
          {
            grant_type: TOKEN_EXCHANGE,
            subject_token: user.token,
            subject_token_type: SESSION_TOKEN_TYPE,
            resource: API,
            client_secret: client.secret as string,
          },
          client,
        )
      await expectRefusedWithoutChange(server, request, 400, 'invalid_request')
      const mismatch = () =>
        post(server, '/oauth/token', { grant_type: 'client_credentials', resource: API, client_id: 'someone-else' }, client)
      await expectRefusedWithoutChange(server, mismatch, 400, 'invalid_request')
    })

    it('accepts client_secret_post', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      const { client, user } = await world(server)
      const response = await post(
        server,
        '/oauth/token',
        {
          grant_type: TOKEN_EXCHANGE,
          subject_token: user.token,
          subject_token_type: SESSION_TOKEN_TYPE,
          resource: API,
          client_id: client.id,
          client_secret: client.secret as string,
        },
        null,
      )
      expect(response.statusCode, response.body).toBe(200)
      expect(decodeJwt(response.json().access_token).client_id).toBe(client.id)
    })

    it('refuses a public client that sends a secret with invalid_client', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server)
      const spa = await createClient(server, { type: 'spa' })
      const user = await createUser(server)
      const before = await countRows(server)
      const response = await exchange(server, { id: spa.id, secret: 'anything' }, user.token)
      expectOAuthError(response, 401, 'invalid_client')
      expect(await countRows(server)).toEqual(before)
    })

    it('refuses malformed Basic credentials with invalid_client', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await world(server)
      for (const authorization of ['Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, 'Bearer abc']) {
        const request = () =>
          server.app.inject({
            method: 'POST',
            url: '/oauth/token',
            headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
            payload: 'grant_type=client_credentials',
          })
        await expectRefusedWithoutChange(server, request, 401, 'invalid_client')
      }
    })
  })
}
