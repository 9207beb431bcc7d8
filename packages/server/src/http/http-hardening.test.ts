import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import { DIALECTS } from '../../test/test-database.js'
import { PASSWORD, signUp, startTestServer, type TestServer } from '../../test/test-server.js'

const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'code', 'detail', 'errors', 'requestId'])

async function countRows(server: TestServer, table: 'users' | 'sessions' | 'event_outbox'): Promise<number> {
  const row = await server.tessera.database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

async function counts(server: TestServer) {
  return {
    users: await countRows(server, 'users'),
    sessions: await countRows(server, 'sessions'),
    events: await countRows(server, 'event_outbox'),
  }
}

/** A raw JSON body, sent byte for byte (so `__proto__` keys survive). */
function postRaw(server: TestServer, url: string, body: string, contentType = 'application/json') {
  return server.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': contentType } })
}

/** Asserts the RFC 9457 shape every error shares, and returns its code. */
function expectProblem(response: LightMyRequestResponse, status: number, code: string): void {
  expect(response.statusCode, response.body).toBe(status)
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
  const problem = response.json()
  expect(problem).toMatchObject({ type: `urn:tessera:error:${code}`, title: expect.any(String), status, code })
  for (const member of Object.keys(problem)) expect(PROBLEM_MEMBERS.has(member), member).toBe(true)
  expect(problem.requestId).toBe(response.headers['x-request-id'])
  // No stack trace, no source path, no driver message.
  expect(response.body).not.toMatch(/\bat .+:\d+:\d+|node_modules|\.ts\b|\.js\b|sqlite|postgres|kysely/i)
}

const ERROR_CASES: { name: string; request: InjectOptions; status: number; code: string }[] = [
  { name: 'truncated JSON', request: raw('{"email":"ann@example.com",'), status: 400, code: 'malformed_json' },
  { name: 'trailing comma', request: raw('{"email":"ann@example.com","password":"x",}'), status: 400, code: 'malformed_json' },
  { name: 'single quotes', request: raw("{'email':'ann@example.com'}"), status: 400, code: 'malformed_json' },
  { name: 'empty JSON body', request: raw(''), status: 400, code: 'malformed_json' },
  { name: 'email as a number', request: json({ email: 1, password: PASSWORD }), status: 400, code: 'invalid_request' },
  { name: 'password as a number', request: json({ email: 'ann@example.com', password: 12345678 }), status: 400, code: 'invalid_request' },
  { name: 'email as an array', request: json({ email: ['ann@example.com'], password: PASSWORD }), status: 400, code: 'invalid_request' },
  { name: 'password as null', request: json({ email: 'ann@example.com', password: null }), status: 400, code: 'invalid_request' },
  { name: 'password as an object', request: json({ email: 'ann@example.com', password: {} }), status: 400, code: 'invalid_request' },
  { name: 'empty password', request: json({ email: 'ann@example.com', password: '' }), status: 400, code: 'invalid_request' },
  {
    name: 'unknown transport',
    request: json({ email: 'ann@example.com', password: PASSWORD, transport: 'jwt' }),
    status: 400,
    code: 'invalid_request',
  },
  { name: 'missing password', request: json({ email: 'ann@example.com' }), status: 400, code: 'invalid_request' },
  { name: 'missing email', request: json({ password: PASSWORD }), status: 400, code: 'invalid_request' },
  { name: 'empty object', request: json({}), status: 400, code: 'invalid_request' },
  { name: 'a JSON array', request: raw('[]'), status: 400, code: 'invalid_request' },
  { name: 'a JSON string', request: raw('"ann@example.com"'), status: 400, code: 'invalid_request' },
  { name: 'JSON null', request: raw('null'), status: 400, code: 'invalid_request' },
  {
    name: 'an unknown field',
    request: json({ email: 'ann@example.com', password: PASSWORD, admin: true }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'an over-long email',
    request: json({ email: `${'a'.repeat(320)}@example.com`, password: PASSWORD }),
    status: 400,
    code: 'invalid_request',
  },
  {
    name: 'a __proto__ key',
    request: raw(`{"email":"ann@example.com","password":"${PASSWORD}","__proto__":{"polluted":true}}`),
    status: 400,
    code: 'malformed_json',
  },
  {
    name: 'a nested __proto__ key',
    request: raw(`{"email":"ann@example.com","password":{"__proto__":{"polluted":true}}}`),
    status: 400,
    code: 'malformed_json',
  },
  {
    name: 'a constructor.prototype key',
    request: raw(`{"email":"ann@example.com","password":"${PASSWORD}","constructor":{"prototype":{"polluted":true}}}`),
    status: 400,
    code: 'malformed_json',
  },
  {
    name: 'a 1 MiB password',
    request: json({ email: 'ann@example.com', password: 'a'.repeat(1024 * 1024) }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'text/plain',
    request: raw(JSON.stringify({ email: 'ann@example.com', password: PASSWORD }), 'text/plain'),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a urlencoded form',
    request: raw(`email=ann%40example.com&password=${encodeURIComponent(PASSWORD)}`, 'application/x-www-form-urlencoded'),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a multipart form',
    request: raw(
      '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nann@example.com\r\n--x--\r\n',
      'multipart/form-data; boundary=x',
    ),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a body without a content type',
    request: { payload: JSON.stringify({ email: 'ann@example.com', password: PASSWORD }) },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'an email with a space',
    request: json({ email: 'ann smith@example.com', password: PASSWORD }),
    status: 400,
    code: 'invalid_email',
  },
  {
    name: 'an email with a newline',
    request: json({ email: 'ann@example.com\nbcc@evil.example', password: PASSWORD }),
    status: 400,
    code: 'invalid_email',
  },
  {
    name: 'an email without a dot in the domain',
    request: json({ email: 'ann@localhost', password: PASSWORD }),
    status: 400,
    code: 'invalid_email',
  },
  {
    name: 'an email with two @',
    request: json({ email: 'ann@evil.example@example.com', password: PASSWORD }),
    status: 400,
    code: 'invalid_email',
  },
  {
    name: 'an email with a NUL',
    request: json({ email: 'ann\u0000@example.com', password: PASSWORD }),
    status: 400,
    code: 'invalid_email',
  },
]

function json(payload: Record<string, unknown>): InjectOptions {
  return { payload }
}

function raw(body: string, contentType = 'application/json'): InjectOptions {
  return { payload: body, headers: { 'content-type': contentType } }
}

describe('bad input to the credential endpoints', () => {
  const start = startTestServer

  for (const url of ['/v1/sign-up', '/v1/sign-in']) {
    it(`refuses every kind of bad body at ${url} with a problem document and a stable code, and writes nothing`, async () => {
      const server = await start()
      // An account to aim at, so a sign-in that slipped through would visibly succeed.
      if (url === '/v1/sign-in') await signUp(server.app, 'ann@example.com')
      const before = await counts(server)
      for (const each of ERROR_CASES) {
        const response = await server.app.inject({ method: 'POST', url, ...each.request })
        expect.soft(response.statusCode, `${each.name}: ${response.body}`).toBe(each.status)
        expect.soft(response.json().code, each.name).toBe(each.code)
        expectProblem(response, each.status, each.code)
        expect(response.headers['set-cookie'], each.name).toBeUndefined()
      }
      expect(await counts(server)).toEqual(before)
    })
  }

  it('refuses unknown fields instead of stripping them', async () => {
    const server = await start()
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/sign-up',
      payload: { email: 'ann@example.com', password: PASSWORD, admin: true },
    })
    expectProblem(response, 400, 'invalid_request')
    expect(response.json().errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.any(String) })]))
    expect(await server.tessera.stores.users.findByEmail('ann@example.com')).toBeNull()
  })

  it('names the missing field in a schema error', async () => {
    const server = await start()
    const response = await server.app.inject({ method: 'POST', url: '/v1/sign-up', payload: { email: 'ann@example.com' } })
    expectProblem(response, 400, 'invalid_request')
    expect(response.json().errors).toEqual([expect.objectContaining({ path: '/password' })])
  })

  it('does not pollute Object.prototype through __proto__ or constructor.prototype', async () => {
    const server = await start()
    const bodies = [
      '{"__proto__":{"polluted":"yes"},"email":"ann@example.com","password":"x"}',
      '{"constructor":{"prototype":{"polluted":"yes"}},"email":"ann@example.com","password":"x"}',
      '{"email":"ann@example.com","password":"x","transport":{"__proto__":{"polluted":"yes"}}}',
    ]
    for (const body of bodies) {
      for (const url of ['/v1/sign-up', '/v1/sign-in']) {
        const response = await postRaw(server, url, body)
        expect(response.statusCode).toBe(400)
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype).not.toHaveProperty('polluted')
  })

  it('accepts application/json with a charset parameter', async () => {
    const server = await start()
    const response = await postRaw(
      server,
      '/v1/sign-up',
      JSON.stringify({ email: 'ann@example.com', password: PASSWORD }),
      'application/json; charset=utf-8',
    )
    expect(response.statusCode).toBe(201)
  })

  it('keeps the user agent bounded and takes the client address from the socket, not X-Forwarded-For', async () => {
    const server = await start()
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/sign-up',
      payload: { email: 'ann@example.com', password: PASSWORD },
      headers: { 'user-agent': 'u'.repeat(10_000), 'x-forwarded-for': '203.0.113.7' },
    })
    expect(response.statusCode).toBe(201)
    expect(response.json().session.userAgent).toHaveLength(512)
    expect(response.json().session.ip).toBe('127.0.0.1')
  })
})

describe('routing and health', () => {
  const start = startTestServer

  it('answers an unknown route, or a known path with the wrong method, with 404 not_found', async () => {
    const server = await start()
    for (const request of [
      { method: 'GET', url: '/nope' },
      { method: 'GET', url: '/v1/sign-in' },
      { method: 'PUT', url: '/v1/sign-up' },
      { method: 'POST', url: '/v1/sign-in/../admin' },
      { method: 'GET', url: '/v1/users?email=ann@example.com' },
    ] as const) {
      expectProblem(await server.app.inject(request), 404, 'not_found')
    }
  })

  it('answers router errors (an over-long path parameter, a badly encoded URL) with a problem, not a URL echo', async () => {
    const server = await start()
    const longId = 'a'.repeat(300)
    for (const url of [`/v1/sessions/${longId}`, '/v1/%E0%A4%A']) {
      const response = await server.app.inject({ method: 'DELETE', url })
      expectProblem(response, 400, 'invalid_request')
      expect(response.body).not.toContain(longId)
    }
  })

  it('sends nosniff and no-referrer on every response, errors included', async () => {
    const server = await start()
    for (const url of ['/healthz', '/nope']) {
      const response = await server.app.inject({ method: 'GET', url })
      expect(response.headers['x-content-type-options']).toBe('nosniff')
      expect(response.headers['referrer-policy']).toBe('no-referrer')
    }
  })

  it('answers /healthz and /readyz with 200', async () => {
    const server = await start()
    const health = await server.app.inject({ method: 'GET', url: '/healthz' })
    expect(health.statusCode).toBe(200)
    expect(health.json()).toEqual({ status: 'ok' })
    const ready = await server.app.inject({ method: 'GET', url: '/readyz' })
    expect(ready.statusCode).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready' })
  })

  for (const dialect of DIALECTS) {
    it(`answers 503 store_unavailable on ${dialect} when the store cannot be reached, and /healthz stays 200`, async () => {
      const server = await start({ dialect })
      const { token } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
      await server.tessera.database.db.destroy()
      expectProblem(await server.app.inject({ method: 'GET', url: '/readyz' }), 503, 'store_unavailable')
      expectProblem(
        await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } }),
        503,
        'store_unavailable',
      )
      expectProblem(
        await server.app.inject({ method: 'POST', url: '/v1/sign-in', payload: { email: 'ann@example.com', password: PASSWORD } }),
        503,
        'store_unavailable',
      )
      expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    })
  }
})

describe('session credentials', () => {
  const start = startTestServer

  it('refuses two session cookies of the same name with 400 duplicate_session_cookie, and signs nobody out', async () => {
    const server = await start()
    const { cookieHeader, token } = await signUp(server.app, 'ann@example.com')
    const name = '__Host-tessera_session'
    for (const cookie of [
      `${name}=a; ${name}=b`,
      `${cookieHeader}; ${name}=b`,
      `${name}=b;${cookieHeader}`,
      `${cookieHeader}; ${cookieHeader}`,
    ]) {
      expectProblem(await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie } }), 400, 'duplicate_session_cookie')
      expectProblem(await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: { cookie } }), 400, 'duplicate_session_cookie')
    }
    const still = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } })
    expect(still.statusCode).toBe(200)
  })

  it('reads only its own cookie name: other cookies beside the session cookie are fine', async () => {
    const server = await start()
    const { token } = await signUp(server.app, 'ann@example.com')
    const cookie = `tessera_session=x; theme=dark; __Host-tessera_session=${token}; __Secure-tessera_session=y`
    const response = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie } })
    expect(response.statusCode).toBe(200)
  })

  it('refuses a malformed Authorization header with 401 session_invalid and a Bearer challenge', async () => {
    const server = await start()
    const valid = (await signUp(server.app, 'ann@example.com', { transport: 'bearer' })).token as string
    const headers = [
      'Basic x',
      `Basic ${Buffer.from(`ann@example.com:${PASSWORD}`).toString('base64')}`,
      'Bearer',
      'Bearer ',
      'Bearer garbage',
      'Bearer a.b',
      `Bearer  ${valid}`,
      `Bearer ${valid} extra`,
      `Bearer ${valid}=`,
      `Bearer ${valid}A`,
      `Bearer A${valid}`,
      `Bearer ${valid.replace('.', '')}`,
      `Bearer ${valid.replace('.', '..')}`,
      `Bearer ${'A'.repeat(4000)}.${'B'.repeat(4000)}`,
      `Bearer ${valid.slice(0, 22)}.${'+'.repeat(43)}`,
      `Token ${valid}`,
    ]
    for (const authorization of headers) {
      const response = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization } })
      expectProblem(response, 401, 'session_invalid')
      expect(response.headers['www-authenticate']).toMatch(/^Bearer /)
    }
  })

  it('refuses an unknown well-formed token, and the right id with a wrong secret, with 401 session_invalid', async () => {
    const server = await start()
    const token = (await signUp(server.app, 'ann@example.com', { transport: 'bearer' })).token as string
    const [id, secret] = token.split('.') as [string, string]
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`
    const candidates = [`${'A'.repeat(22)}.${'B'.repeat(43)}`, `${id}.${'B'.repeat(43)}`, `${id}.${flipped}`, `${'A'.repeat(22)}.${secret}`]
    for (const candidate of candidates) {
      const bearer = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${candidate}` } })
      expectProblem(bearer, 401, 'session_invalid')
      expect(bearer.headers['www-authenticate']).toContain('error="invalid_token"')
      const cookie = await server.app.inject({
        method: 'GET',
        url: '/v1/session',
        headers: { cookie: `__Host-tessera_session=${candidate}` },
      })
      expectProblem(cookie, 401, 'session_invalid')
    }
    // A wrong secret signs nobody out: the real token still works.
    const real = await server.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } })
    expect(real.statusCode).toBe(200)
  })

  it('clears a session cookie that does not resolve to a session', async () => {
    const server = await start()
    const response = await server.app.inject({
      method: 'GET',
      url: '/v1/session',
      headers: { cookie: `__Host-tessera_session=${'A'.repeat(22)}.${'B'.repeat(43)}` },
    })
    expectProblem(response, 401, 'session_invalid')
    const cleared = response.cookies.find((cookie) => cookie.name === '__Host-tessera_session')
    expect(cleared?.value).toBe('')
    expect(cleared?.secure).toBe(true)
    expect(cleared?.path).toBe('/')
  })

  it('writes nothing for refused credentials', async () => {
    const server = await start()
    const { token } = await signUp(server.app, 'ann@example.com', { transport: 'bearer' })
    const before = await counts(server)
    const [id] = (token as string).split('.') as [string]
    for (const authorization of ['Basic x', 'Bearer garbage', `Bearer ${id}.${'B'.repeat(43)}`]) {
      await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization } })
      await server.app.inject({ method: 'POST', url: '/v1/sessions/revoke', payload: { scope: 'all' }, headers: { authorization } })
    }
    expect(await counts(server)).toEqual(before)
    const session = await server.tessera.stores.sessions.findById(id)
    expect(session?.revokedAt).toBeNull()
  })
})
