import { describe, expect, it } from 'vitest'
import { closed, ISSUER_TRANSPORTS, json, type RawIssuer, startRawIssuer } from '../../test/raw-issuer.js'
import { AUDIENCE, CLIENT, codeOf, detailOf } from '../../test/verifier-fixture.js'
import { MAX_DOCUMENT_BYTES } from '../shared/read-json.js'
import { createVerifier } from '../verifier/create-verifier.js'
import type { Verifier } from '../verifier/verifier.js'
import type { VerifierOptions } from '../verifier/verifier-options.js'

const SESSION_TOKEN = 'sessionid7.s3cr3t-part_xyz'

function verifierOf(raw: RawIssuer, options: Partial<VerifierOptions>): Verifier {
  return createVerifier({ issuer: raw.issuer, audience: AUDIENCE, mode: 'session', client: CLIENT, ...options })
}

const live = { user: { id: 'user-7', email: 'a@example.test' }, session: { id: 'sessionid7' } }

describe.each(ISSUER_TRANSPORTS)('verifySession over %s', (_name, transport) => {
  it('sends GET /v1/session with the token as a bearer, and returns the live session', async () => {
    const raw = await startRawIssuer()
    const verifier = verifierOf(raw, transport)
    raw.answer = (res) => json(res, 200, live)
    expect(await verifier.verifySession(SESSION_TOKEN)).toEqual({ userId: 'user-7', sessionId: 'sessionid7' })
    const [sent] = raw.requests
    expect(sent?.method).toBe('GET')
    expect(sent?.path).toBe('/v1/session')
    expect(sent?.headers.authorization).toBe(`Bearer ${SESSION_TOKEN}`)
    expect(sent?.headers.accept).toBe('application/json')
    expect(sent?.body).toBe('')
    await verifier.close()
  })

  it('maps each refusal (401, 403) by its problem code', async () => {
    const raw = await startRawIssuer()
    const verifier = verifierOf(raw, transport)
    const cases: [number, unknown, string][] = [
      [401, { code: 'session_revoked' }, 'token_revoked'],
      [401, { code: 'user_disabled' }, 'token_revoked'],
      [401, { code: 'session_expired' }, 'token_expired'],
      [401, { code: 'session_invalid' }, 'invalid_token'],
      [401, {}, 'invalid_token'],
      [403, { code: 'session_revoked' }, 'token_revoked'],
      [403, { code: 'session_expired' }, 'token_expired'],
    ]
    for (const [status, body, code] of cases) {
      raw.answer = (res) => json(res, status, body)
      expect(await codeOf(verifier.verifySession(SESSION_TOKEN)), `${status} ${JSON.stringify(body)}`).toBe(code)
    }
    await verifier.close()
  })

  it('reports a refusal whose body cannot be read (not JSON, over the limit, never ending) as invalid_token', async () => {
    const raw = await startRawIssuer()
    const verifier = verifierOf(raw, { ...transport, requestTimeout: 500 })
    raw.answer = (res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"code":"session_revoked"')
    expect(await codeOf(verifier.verifySession(SESSION_TOKEN))).toBe('invalid_token')
    // Over the limit, declared, the code first: read within no limit, it would say token_revoked.
    const oversize = `{"code":"session_revoked","pad":"${' '.repeat(MAX_DOCUMENT_BYTES)}"}`
    raw.answer = (res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(oversize)) })
      res.end(oversize)
    }
    expect(await codeOf(verifier.verifySession(SESSION_TOKEN))).toBe('invalid_token')
    // Streamed over the limit (chunked, no declared length).
    raw.answer = (res) => {
      res.writeHead(401, { 'content-type': 'application/json' })
      res.write('{"code":"session_revoked","pad":"')
      res.end(`${' '.repeat(MAX_DOCUMENT_BYTES)}"}`)
    }
    expect(await codeOf(verifier.verifySession(SESSION_TOKEN))).toBe('invalid_token')
    // A body that never ends: given up at the timeout, still a refusal.
    raw.answer = (res) => res.writeHead(401, { 'content-type': 'application/json' }).write('{"code":"session_revoked"')
    expect(await codeOf(verifier.verifySession(SESSION_TOKEN))).toBe('invalid_token')
    await verifier.close()
  })

  it('reports any other non-2xx, and a malformed answer, as verifier_unavailable', async () => {
    const raw = await startRawIssuer()
    const verifier = verifierOf(raw, transport)
    for (const status of [400, 404, 500, 503]) {
      raw.answer = (res) => json(res, status, { code: 'session_revoked' })
      expect(await detailOf(verifier.verifySession(SESSION_TOKEN))).toBe(`session check: HTTP ${status}`)
      expect(await codeOf(verifier.verifySession(SESSION_TOKEN))).toBe('verifier_unavailable')
    }
    for (const body of ['not json', '', 'null', '{"user":{"id":"u"}}', '{"user":{"id":7},"session":{"id":"s"}}']) {
      raw.answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body)
      expect(await codeOf(verifier.verifySession(SESSION_TOKEN)), body).toBe('verifier_unavailable')
    }
    await verifier.close()
  })

  it('does not follow a redirect', async () => {
    const raw = await startRawIssuer()
    const verifier = verifierOf(raw, transport)
    raw.answer = (res, received) => {
      if (received.path === '/elsewhere') return json(res, 200, live)
      res.writeHead(307, { location: `${raw.issuer}/elsewhere` }).end()
    }
    expect(await codeOf(verifier.verifySession(SESSION_TOKEN))).toBe('verifier_unavailable')
    expect(raw.requests.map((each) => each.path)).toEqual(['/v1/session'])
    await verifier.close()
  })

  it('gives up after requestTimeout on an issuer that never answers, and destroys the socket', async () => {
    const raw = await startRawIssuer()
    const verifier = verifierOf(raw, { ...transport, requestTimeout: 300 })
    raw.answer = () => {}
    expect(await detailOf(verifier.verifySession(SESSION_TOKEN))).toBe('session check: request failed')
    const [sent] = raw.requests
    if (!sent) throw new Error('no session check arrived')
    await closed(sent.socket)
    await verifier.close()
  })
})

describe('verifySession over node:http: the agents the verifier owns', () => {
  it('reuses one connection for sequential checks, shared with introspection', async () => {
    const raw = await startRawIssuer()
    const verifier = verifierOf(raw, {})
    await verifier.ready()
    raw.answer = (res, received) => (received.path === '/v1/session' ? json(res, 200, live) : json(res, 200, { active: false }))
    for (let i = 0; i < 3; i++) expect(await verifier.verifySession(SESSION_TOKEN)).toMatchObject({ userId: 'user-7' })
    expect(await codeOf(verifier.verify('AbCdEf123456.s3cr3t-part_xyz'))).toBe('invalid_token')
    expect(raw.requests.map((each) => each.path)).toEqual(['/v1/session', '/v1/session', '/v1/session', '/oauth/introspect'])
    expect(new Set(raw.requests.map((each) => each.socket)).size).toBe(1)
    const [sent] = raw.requests
    if (!sent) throw new Error('no session check arrived')
    await verifier.close()
    await closed(sent.socket)
  })

  it('reuses the connection after a refusal whose body was read', async () => {
    const raw = await startRawIssuer()
    const verifier = verifierOf(raw, {})
    raw.answer = (res) => json(res, 401, { code: 'session_expired' })
    expect(await codeOf(verifier.verifySession(SESSION_TOKEN))).toBe('token_expired')
    raw.answer = (res) => json(res, 200, live)
    expect(await verifier.verifySession(SESSION_TOKEN)).toMatchObject({ sessionId: 'sessionid7' })
    expect(new Set(raw.requests.map((each) => each.socket)).size).toBe(1)
    await verifier.close()
  })

  it('sends once more on a new connection when the server closed the pooled one as it was reused', async () => {
    const raw = await startRawIssuer()
    const verifier = verifierOf(raw, {})
    raw.answer = (res) => json(res, 200, live)
    expect(await verifier.verifySession(SESSION_TOKEN)).toMatchObject({ userId: 'user-7' })
    const first = raw.requests[0]?.socket
    raw.answer = (res, received) => (received.socket === first ? received.socket.destroy() : json(res, 200, live))
    expect(await verifier.verifySession(SESSION_TOKEN)).toMatchObject({ userId: 'user-7' })
    expect(raw.requests.map((each) => each.socket === first)).toEqual([true, true, false])
    expect(raw.requests.map((each) => each.method)).toEqual(['GET', 'GET', 'GET'])
    await verifier.close()
  })
})
