import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createTestServer, signUp } from '../../test/test-server.js'

/** A real HTTP request, sent the way Node's http.request sends a POST by default. */
function post(port: number, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => {
        text += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
    })
    req.on('error', reject)
    if (body !== undefined) req.write(body)
    req.end()
  })
}

/** Issue 16 part 9: body-less posts and over-large forms get the answers a client expects. */
describe('request bodies', () => {
  it('accepts an empty chunked body without a content type where no body is expected (sign-out), and still refuses one with content', async ({
    onTestFinished,
  }) => {
    const server = await createTestServer()
    onTestFinished(() => server.close())
    const session = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
    await server.app.listen({ host: '127.0.0.1', port: 0 })
    const port = (server.app.server.address() as AddressInfo).port

    const bearer = { authorization: `Bearer ${session.token}` }
    // A non-empty body without a type: refused, and the session lives on.
    const withBody = await post(port, '/v1/sign-out', bearer, 'x')
    expect(withBody.status).toBe(415)
    expect(JSON.parse(withBody.body).code).toBe('unsupported_media_type')
    const textPlain = await post(port, '/v1/sign-out', { ...bearer, 'content-type': 'text/plain' }, '')
    expect(textPlain.status).toBe(415)
    await expect(server.tessera.services.sessions.authenticate(session.token as string)).resolves.toBeTruthy()

    // Node's default: Transfer-Encoding: chunked, no Content-Type, nothing in it.
    const signedOut = await post(port, '/v1/sign-out', bearer)
    expect(signedOut.status).toBe(204)
    await expect(server.tessera.services.sessions.authenticate(session.token as string)).rejects.toMatchObject({ code: 'session_revoked' })
  })

  it('answers 413 to a 1 MiB form at the token endpoint, in RFC 6749 form', async ({ onTestFinished }) => {
    const server = await createTestServer()
    onTestFinished(() => server.close())
    const response = await server.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&pad=${'x'.repeat(1024 * 1024)}`,
    })
    expect(response.statusCode).toBe(413)
    expect(response.json()).toEqual({ error: 'invalid_request' })
    // A JSON body is still a 400 there (RFC 6749 §5.2), not a 415.
    const json = await server.app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials' } })
    expect(json.statusCode).toBe(400)
  })
})
