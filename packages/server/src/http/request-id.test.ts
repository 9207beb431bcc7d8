import { describe, expect, it } from 'vitest'
import { startTestServer } from '../../test/test-server.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('request ids', () => {
  const start = (logLines?: string[]) => startTestServer(logLines ? { logLines } : {})

  it('gives every response a fresh id in X-Request-Id, and puts it in problem documents', async () => {
    const server = await start()
    const first = await server.app.inject({ method: 'GET', url: '/v1/session' })
    const second = await server.app.inject({ method: 'GET', url: '/v1/session' })
    const id = first.headers['x-request-id'] as string
    expect(id).toMatch(UUID)
    expect(second.headers['x-request-id']).toMatch(UUID)
    expect(second.headers['x-request-id']).not.toBe(id)
    expect(first.headers['content-type']).toMatch(/^application\/problem\+json/)
    // RFC 9457 §3.2 extension member; the standard members are unchanged.
    expect(first.json()).toMatchObject({ status: 401, code: 'unauthenticated', requestId: id })
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).headers['x-request-id']).toMatch(UUID)
  })

  it("keeps a caller's well-formed id, in the header, the problem document and every log line of the request", async () => {
    const lines: string[] = []
    const server = await start(lines)
    const requestId = 'edge-7f3a.b9:01'
    const response = await server.app.inject({ method: 'POST', url: '/v1/sign-in', headers: { 'x-request-id': requestId }, payload: {} })
    expect(response.headers['x-request-id']).toBe(requestId)
    expect(response.json().requestId).toBe(requestId)
    const logged = lines
      .map((line) => JSON.parse(line) as { requestId?: string; msg?: string })
      .filter((line) => line.requestId === requestId)
    expect(logged.map((line) => line.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']))
  })

  it('replaces an id that is too long or holds characters unsafe in logs and headers', async () => {
    const lines: string[] = []
    const server = await start(lines)
    for (const bad of ['a'.repeat(65), 'has space', 'quote"d', '<script>', 'ünïcode', '']) {
      const response = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { 'x-request-id': bad } })
      expect(response.headers['x-request-id']).toMatch(UUID)
      expect(response.json().requestId).toBe(response.headers['x-request-id'])
    }
    expect(lines.join('\n')).not.toContain('<script>')
    expect(lines.join('\n')).not.toContain('a'.repeat(65))
  })

  it('answers OAuth errors (RFC 6749 §5.2 bodies, unchanged) and router errors with the header too', async () => {
    const server = await start()
    const token = await server.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'oauth-1' },
      payload: 'grant_type=client_credentials',
    })
    expect(token.headers['x-request-id']).toBe('oauth-1')
    expect(Object.keys(token.json()).sort()).toEqual(['error', 'error_description'])
    const malformed = await server.app.inject({ method: 'GET', url: '/v1/%E0%A4%A', headers: { 'x-request-id': 'bad-url-1' } })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.headers['x-request-id']).toBe('bad-url-1')
    expect(malformed.json().requestId).toBe('bad-url-1')
  })
})
