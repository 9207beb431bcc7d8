import { describe, expect, it } from 'vitest'
import { AUDIENCE, codeOf, createFixture } from '../../test/verifier-fixture.js'

const INTROSPECT = '/oauth/introspect'
const OPAQUE = 'AbCdEf123456.s3cr3t-part_xyz'

describe('session mode: introspection on every request', () => {
  it('accepts an opaque token the issuer says is active, and asks again every time', async () => {
    const { verifier, tessera, clock } = await createFixture({ mode: 'session' })
    const exp = Math.floor(clock.now() / 1000) + 3600
    tessera.introspect = (token, request) => {
      expect(token).toBe(OPAQUE)
      expect(new URLSearchParams(request.body).get('token_type_hint')).toBe('access_token')
      expect(request.headers.authorization).toMatch(/^Basic /)
      return {
        status: 200,
        body: {
          active: true,
          iss: tessera.issuer,
          sub: 'user-7',
          aud: AUDIENCE,
          client_id: 'web-app',
          scope: 'orders:read',
          token_type: 'Bearer',
          exp,
          jti: 'AbCdEf123456',
          sid: 'session-7',
        },
      }
    }
    const auth = await verifier.verify(OPAQUE, { scopes: ['orders:read'] })
    expect(auth).toMatchObject({
      subject: 'user-7',
      sessionId: 'session-7',
      clientId: 'web-app',
      scopes: ['orders:read'],
      tokenVersion: null,
    })
    await verifier.verify(OPAQUE)
    expect(tessera.count(INTROSPECT)).toBe(2)
    expect(verifier.staleness()).toBe(0)
  })

  it('introspects JWTs too: a locally valid token the issuer calls inactive is rejected', async () => {
    const { verifier, tessera, token } = await createFixture({ mode: 'session' })
    tessera.introspect = () => ({ status: 200, body: { active: false } })
    expect(await codeOf(verifier.verify(await token()))).toBe('invalid_token')
    expect(tessera.count(INTROSPECT)).toBe(1)
  })

  it('rejects an active answer for another API, a refresh token, or an expired token', async () => {
    const { verifier, tessera, clock } = await createFixture({ mode: 'session' })
    const exp = Math.floor(clock.now() / 1000) + 3600
    const base = { active: true, sub: 'user-7', aud: AUDIENCE, client_id: 'web-app', scope: '', exp }
    const cases: [Record<string, unknown>, string][] = [
      [{ aud: 'https://other.example.test' }, 'invalid_token'],
      [{ aud: undefined }, 'invalid_token'],
      [{ token_type: 'refresh_token' }, 'invalid_token'],
      [{ iss: 'https://evil.example' }, 'invalid_token'],
      [{ sub: undefined }, 'invalid_token'],
      [{ exp: exp - 7200 }, 'token_expired'],
    ]
    for (const [change, code] of cases) {
      tessera.introspect = () => ({ status: 200, body: { ...base, ...change } })
      expect(await codeOf(verifier.verify(OPAQUE)), JSON.stringify(change)).toBe(code)
    }
  })

  it('reports an issuer that cannot answer as verifier_unavailable, and never sends junk to it', async () => {
    const { verifier, tessera } = await createFixture({ mode: 'session' })
    tessera.introspect = () => ({ status: 401, body: { error: 'invalid_client' } })
    expect(await codeOf(verifier.verify(OPAQUE))).toBe('verifier_unavailable')
    tessera.introspect = () => ({ status: 200, body: { activ: true } })
    expect(await codeOf(verifier.verify(OPAQUE))).toBe('verifier_unavailable')
    const before = tessera.count(INTROSPECT)
    for (const junk of ['', 'has space', 'line\nbreak', 'x'.repeat(9000)]) expect(await codeOf(verifier.verify(junk))).toBe('invalid_token')
    expect(tessera.count(INTROSPECT)).toBe(before)
  })
})

describe('verifySession: a session token, asked of Tessera', () => {
  it('returns the user and session of a live session, sending the token as a bearer', async () => {
    const { verifier, tessera } = await createFixture()
    tessera.session = (token) =>
      token === 'sessionid.secret'
        ? { status: 200, body: { user: { id: 'user-1', email: 'a@example.test' }, session: { id: 'sessionid' } } }
        : { status: 401, body: { code: 'session_invalid' } }
    await expect(verifier.verifySession('sessionid.secret')).resolves.toEqual({ userId: 'user-1', sessionId: 'sessionid' })
    expect(tessera.requests.find((request) => request.path === '/v1/session')?.headers.authorization).toBe('Bearer sessionid.secret')
  })

  it('maps the server’s refusals to stable codes', async () => {
    const { verifier, tessera } = await createFixture()
    const cases: [number, unknown, string][] = [
      [401, { code: 'session_revoked' }, 'token_revoked'],
      [401, { code: 'session_expired' }, 'token_expired'],
      [403, { code: 'user_disabled' }, 'token_revoked'],
      [401, { code: 'session_invalid' }, 'invalid_token'],
      [401, { code: 'constructor' }, 'invalid_token'],
      [401, 'not json', 'invalid_token'],
      [500, {}, 'verifier_unavailable'],
      [200, { user: {} }, 'verifier_unavailable'],
    ]
    for (const [status, body, code] of cases) {
      tessera.session = () => ({ status, body })
      expect(await codeOf(verifier.verifySession('sessionid.secret')), JSON.stringify(body)).toBe(code)
    }
    expect(await codeOf(verifier.verifySession('bad token'))).toBe('invalid_token')
  })
})
