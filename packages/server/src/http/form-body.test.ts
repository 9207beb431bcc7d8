import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { basic, type Client, SESSION_API, serve, sessionApiWorld, tokensFor } from '../../test/oauth-fixture.js'
import type { TestServer } from '../../test/test-server.js'

// The form parser every form route shares (http/form-body.ts), pinned through introspection
// (RFC 7662 §2.1: a form POST by an authenticated resource server), the endpoint issue 17 made it
// cheaper for. Parsing does not depend on the database, so SQLite only.

const FORM = 'application/x-www-form-urlencoded'

async function setUp(onTestFinished: Parameters<typeof serve>[0]) {
  const server = await serve(onTestFinished, 'sqlite')
  const { client, user, resourceServer } = await sessionApiWorld(server)
  const { access_token: token } = await tokensFor(server, client, user, { resource: SESSION_API })
  return { server, token, resourceServer }
}

function send(server: TestServer, caller: Client, payload: string | Readable, headers: Record<string, string> = {}) {
  return server.app.inject({
    method: 'POST',
    url: '/oauth/introspect',
    headers: { 'content-type': FORM, authorization: basic(caller), ...headers },
    payload,
  })
}

describe('form bodies at /oauth/introspect', () => {
  it('reads the token from a plain form, a percent-encoded one and one with a charset, and answers inactive for malformed encoding', async ({
    onTestFinished,
  }) => {
    const { server, token, resourceServer } = await setUp(onTestFinished)
    const plain = await send(server, resourceServer, `token=${token}`)
    expect(plain.statusCode, plain.body).toBe(200)
    expect(plain.json().active).toBe(true)
    expect(plain.headers['cache-control']).toBe('no-store')
    const encoded = [...token].map((char) => `%${char.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')
    expect((await send(server, resourceServer, `token=${encoded}`)).json().active).toBe(true)
    const charset = await send(server, resourceServer, `token=${token}`, { 'content-type': `${FORM}; charset=utf-8` })
    expect(charset.json().active).toBe(true)
    // RFC 6749 §3.1: a parameter sent without a value is treated as omitted, so this is no repeat.
    expect((await send(server, resourceServer, `token=${token}&token=`)).json().active).toBe(true)
    // A malformed escape is kept as it was sent, which is no token: inactive, not an error.
    const malformed = await send(server, resourceServer, `token=${token}%zz`)
    expect(malformed.statusCode).toBe(200)
    expect(malformed.json()).toEqual({ active: false })
  })

  it('reads a body that arrives in chunks without a Content-Length', async ({ onTestFinished }) => {
    const { server, token, resourceServer } = await setUp(onTestFinished)
    const half = Math.floor(token.length / 2)
    const chunks = Readable.from([Buffer.from(`token=${token.slice(0, half)}`), Buffer.from(token.slice(half))])
    const response = await send(server, resourceServer, chunks)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json().active).toBe(true)
  })

  it('refuses a repeated or empty token, another media type and a form over 16 KiB, each with its code', async ({ onTestFinished }) => {
    const { server, token, resourceServer } = await setUp(onTestFinished)
    const refused = async (payload: string, status: number, headers: Record<string, string> = {}) => {
      const response = await send(server, resourceServer, payload, headers)
      expect(response.statusCode, response.body).toBe(status)
      expect(response.json().error).toBe('invalid_request')
      expect(response.body).not.toContain(token)
    }
    // RFC 6749 §3.1: a parameter must not repeat, even with the same value; an empty one is omitted.
    await refused(`token=${token}&token=${token}`, 400)
    await refused('token=', 400)
    // An OAuth endpoint answers RFC 6749 §5.2 errors: another media type is a 400 invalid_request.
    await refused(JSON.stringify({ token }), 400, { 'content-type': 'application/json' })
    await refused(`token=${token}`, 400, { 'content-type': 'text/plain' })
    await refused(`token=${token}&padding=${'a'.repeat(16 * 1024)}`, 413)
  })

  it('treats parameter names that are Object.prototype members as unknown parameters', async ({ onTestFinished }) => {
    const { server, token, resourceServer } = await setUp(onTestFinished)
    const response = await send(server, resourceServer, `__proto__=x&constructor=y&toString=z&hasOwnProperty=w&token=${token}`)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json().active).toBe(true)
    expect(({} as Record<string, unknown>).x).toBeUndefined()
    // A form without a token, whatever prototype names it carries, still lacks one.
    const without = await send(server, resourceServer, 'toString=z&valueOf=v')
    expect(without.statusCode).toBe(400)
    expect(without.json().error).toBe('invalid_request')
  })
})
