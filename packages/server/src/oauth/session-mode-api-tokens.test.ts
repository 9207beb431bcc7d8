import { decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { createApi, createClient, createUser, exchange, ISSUER, introspect, refresh, SESSION_API, serve } from '../../test/oauth-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import { OPAQUE_TOKEN } from '../../test/token-endpoint-fixture.js'

for (const dialect of DIALECTS) {
  describe.concurrent(`session-mode APIs on ${dialect}`, () => {
    it('issues an opaque reference token that the API’s resource server sees active by introspection', async ({ onTestFinished }) => {
      const server = await serve(onTestFinished, dialect)
      await createApi(server, SESSION_API, 'session')
      const client = await createClient(server, { apis: [SESSION_API] })
      const resourceServer = await createClient(server, { type: 'resource-server', grants: [], apis: [SESSION_API], scopes: [] })
      const user = await createUser(server)
      const response = await exchange(server, client, user.token, { resource: SESSION_API })
      expect(response.statusCode, response.body).toBe(200)
      const body = response.json()
      expect(body.access_token).toMatch(OPAQUE_TOKEN)
      expect(() => decodeProtectedHeader(body.access_token)).toThrow()
      const seen = await introspect(server, resourceServer, body.access_token)
      expect(seen.statusCode).toBe(200)
      expect(seen.json()).toMatchObject({
        active: true,
        iss: ISSUER,
        sub: user.id,
        aud: SESSION_API,
        client_id: client.id,
        scope: 'read write',
        sid: user.sessionId,
        jti: body.access_token.split('.')[0],
      })
      const refreshed = await refresh(server, client, body.refresh_token)
      expect(refreshed.json().access_token).toMatch(OPAQUE_TOKEN)
      expect((await introspect(server, resourceServer, refreshed.json().access_token)).json().active).toBe(true)
    })
  })
}
