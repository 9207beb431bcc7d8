import { execFile } from 'node:child_process'
import { TLSSocket } from 'node:tls'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  closed,
  closedPort,
  ISSUER_TRANSPORTS,
  json,
  type RawIssuer,
  selfSignedCertificate,
  startRawIssuer,
} from '../../test/raw-issuer.js'
import { AUDIENCE, CLIENT, codeOf, detailOf } from '../../test/verifier-fixture.js'
import { basicAuthorization } from '../shared/basic-authorization.js'
import { MAX_DOCUMENT_BYTES } from '../shared/read-json.js'
import { createVerifier } from '../verifier/create-verifier.js'
import type { Verifier } from '../verifier/verifier.js'
import type { VerifierOptions } from '../verifier/verifier-options.js'

const OPAQUE = 'AbCdEf123456.s3cr3t-part_xyz'
const BUILT_SDK = fileURLToPath(new URL('../../dist/index.js', import.meta.url))

async function sessionVerifier(raw: RawIssuer, options: Partial<VerifierOptions>): Promise<Verifier> {
  const verifier = createVerifier({ issuer: raw.issuer, audience: AUDIENCE, mode: 'session', client: CLIENT, ...options })
  // Discovery first, so a small requestTimeout below bounds the introspection alone.
  await verifier.ready()
  return verifier
}

const activeAnswer = (issuer: string) => ({
  active: true,
  iss: issuer,
  sub: 'user-7',
  aud: AUDIENCE,
  client_id: 'web-app',
  scope: 'orders:read',
  exp: Math.floor(Date.now() / 1000) + 3600,
  sid: 'session-7',
})

describe.each(ISSUER_TRANSPORTS)('session-mode introspection over %s', (_name, transport) => {
  it('sends RFC 7662 §2.1: a form POST authenticated as the resource server, and reads active and inactive answers', async () => {
    const raw = await startRawIssuer()
    const verifier = await sessionVerifier(raw, transport)
    raw.answer = (res) => json(res, 200, activeAnswer(raw.issuer))
    expect(await verifier.verify(OPAQUE)).toMatchObject({ subject: 'user-7', sessionId: 'session-7', scopes: ['orders:read'] })
    const [sent] = raw.requests
    expect(sent?.method).toBe('POST')
    expect(sent?.path).toBe('/oauth/introspect')
    expect(sent?.body).toBe(`token=${OPAQUE}&token_type_hint=access_token`)
    expect(sent?.headers.authorization).toBe(basicAuthorization(CLIENT))
    expect(sent?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(sent?.headers.accept).toBe('application/json')
    expect(sent?.headers['content-length']).toBe(String(sent?.body.length))
    raw.answer = (res) => json(res, 200, { active: false })
    expect(await codeOf(verifier.verify(OPAQUE))).toBe('invalid_token')
    await verifier.close()
  })

  it('reports a refused client (401) and any other non-2xx as verifier_unavailable', async () => {
    const raw = await startRawIssuer()
    const verifier = await sessionVerifier(raw, transport)
    raw.answer = (res) => json(res, 401, { error: 'invalid_client' })
    expect(await detailOf(verifier.verify(OPAQUE))).toBe('introspection: the resource server client was refused')
    for (const status of [400, 404, 500, 503]) {
      raw.answer = (res) => json(res, status, { error: 'server_error' })
      expect(await codeOf(verifier.verify(OPAQUE))).toBe('verifier_unavailable')
      expect(await detailOf(verifier.verify(OPAQUE))).toBe(`introspection: HTTP ${status}`)
    }
    await verifier.close()
  })

  it('does not follow a redirect', async () => {
    const raw = await startRawIssuer()
    const verifier = await sessionVerifier(raw, transport)
    raw.answer = (res, received) => {
      if (received.path === '/elsewhere') return json(res, 200, activeAnswer(raw.issuer))
      res.writeHead(307, { location: `${raw.issuer}/elsewhere` }).end()
    }
    expect(await codeOf(verifier.verify(OPAQUE))).toBe('verifier_unavailable')
    expect(raw.requests.map((each) => each.path)).toEqual(['/oauth/introspect'])
    await verifier.close()
  })

  it('refuses an answer that is not JSON, not an object, or has no boolean active', async () => {
    const raw = await startRawIssuer()
    const verifier = await sessionVerifier(raw, transport)
    const bodies = ['not json', '', '[true]', 'null', '{"active":"true"}', '{"activ":true}']
    for (const body of bodies) {
      raw.answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body)
      expect(await codeOf(verifier.verify(OPAQUE)), body).toBe('verifier_unavailable')
    }
    await verifier.close()
  })

  it('gives up after requestTimeout on an issuer that never answers, and destroys the socket', async () => {
    const raw = await startRawIssuer()
    const verifier = await sessionVerifier(raw, { ...transport, requestTimeout: 300 })
    raw.answer = () => {}
    expect(await codeOf(verifier.verify(OPAQUE))).toBe('verifier_unavailable')
    const [sent] = raw.requests
    if (!sent) throw new Error('no introspection arrived')
    await closed(sent.socket)
    await verifier.close()
  })

  it('reports an endpoint that refuses the connection as verifier_unavailable', async () => {
    const raw = await startRawIssuer()
    raw.introspectionUrl = `http://127.0.0.1:${await closedPort()}/oauth/introspect`
    const verifier = await sessionVerifier(raw, transport)
    expect(await detailOf(verifier.verify(OPAQUE))).toBe('introspection: request failed')
    await verifier.close()
  })

  it('refuses a body declared larger than the limit without waiting for it', async () => {
    const raw = await startRawIssuer()
    // The body never comes: a client that waited for it would time out instead.
    const verifier = await sessionVerifier(raw, { ...transport, requestTimeout: 20_000 })
    raw.answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_DOCUMENT_BYTES + 1) })
      res.write('{"active":')
    }
    expect(await detailOf(verifier.verify(OPAQUE))).toBe('introspection: larger than allowed')
    await verifier.close()
  })

  it('refuses a streamed body over the limit without reading the rest', async () => {
    const raw = await startRawIssuer()
    const verifier = await sessionVerifier(raw, transport)
    const total = 64 * MAX_DOCUMENT_BYTES
    let written = 0
    raw.answer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      const pump = () => {
        while (written < total && !res.destroyed) {
          written += chunk.length
          if (!res.write(chunk)) return void res.once('drain', pump)
        }
        res.end()
      }
      pump()
    }
    expect(await detailOf(verifier.verify(OPAQUE))).toBe('introspection: larger than allowed')
    const [sent] = raw.requests
    if (!sent) throw new Error('no introspection arrived')
    await closed(sent.socket)
    expect(written).toBeLessThan(total)
    await verifier.close()
  })

  it('verifies the issuer’s TLS certificate: a self-signed one is refused', async () => {
    const raw = await startRawIssuer()
    const tlsBase = await raw.serveTls(selfSignedCertificate())
    raw.introspectionUrl = `${tlsBase}/oauth/introspect`
    raw.answer = (res) => json(res, 200, activeAnswer(raw.issuer))
    const verifier = await sessionVerifier(raw, transport)
    expect(await detailOf(verifier.verify(OPAQUE))).toBe('introspection: request failed')
    expect(raw.requests).toHaveLength(0)
    await verifier.close()
  })
})

describe('session-mode introspection over node:http: the agent the verifier owns', () => {
  it('reuses one connection for sequential introspections (keep-alive)', async () => {
    const raw = await startRawIssuer()
    const verifier = await sessionVerifier(raw, {})
    for (let i = 0; i < 3; i++) expect(await codeOf(verifier.verify(OPAQUE))).toBe('invalid_token')
    expect(raw.requests).toHaveLength(3)
    expect(new Set(raw.requests.map((each) => each.socket)).size).toBe(1)
    await verifier.close()
  })

  it('sends once more on a new connection when the server closed the pooled one as it was reused', async () => {
    const raw = await startRawIssuer()
    const verifier = await sessionVerifier(raw, {})
    expect(await codeOf(verifier.verify(OPAQUE))).toBe('invalid_token')
    const first = raw.requests[0]?.socket
    // The second request arrives on the kept-alive connection, and the server drops it unanswered.
    raw.answer = (res, received) => (received.socket === first ? received.socket.destroy() : json(res, 200, { active: false }))
    expect(await codeOf(verifier.verify(OPAQUE))).toBe('invalid_token')
    expect(raw.requests.map((each) => each.socket === first)).toEqual([true, true, false])
    await verifier.close()
  })

  it('does not send again when a new connection is dropped, nor more than once', async () => {
    const raw = await startRawIssuer()
    const verifier = await sessionVerifier(raw, {})
    raw.answer = (_res, received) => received.socket.destroy()
    expect(await detailOf(verifier.verify(OPAQUE))).toBe('introspection: request failed')
    expect(raw.requests).toHaveLength(1)
    // Two introspections at once: two pooled connections.
    raw.answer = (res) => json(res, 200, { active: false })
    expect(await Promise.all([codeOf(verifier.verify(OPAQUE)), codeOf(verifier.verify(OPAQUE))])).toEqual([
      'invalid_token',
      'invalid_token',
    ])
    const pooled = new Set(raw.requests.slice(1).map((each) => each.socket))
    expect(pooled.size).toBe(2)
    // Every connection is now dropped: a pooled one, then the new one of the one retry (not the other pooled one).
    raw.answer = (_res, received) => received.socket.destroy()
    expect(await codeOf(verifier.verify(OPAQUE))).toBe('verifier_unavailable')
    expect(raw.requests).toHaveLength(5)
    expect(raw.requests.map((each) => pooled.has(each.socket))).toEqual([false, true, true, true, false])
    await verifier.close()
  })

  it('closes its connections when the verifier is closed', async () => {
    const raw = await startRawIssuer()
    const verifier = await sessionVerifier(raw, {})
    expect(await codeOf(verifier.verify(OPAQUE))).toBe('invalid_token')
    const [sent] = raw.requests
    if (!sent) throw new Error('no introspection arrived')
    expect(sent.socket.destroyed).toBe(false)
    await verifier.close()
    await closed(sent.socket)
  })

  it('introspects over https with a trusted certificate, and an idle connection does not keep the process alive', async () => {
    const raw = await startRawIssuer()
    const certificate = selfSignedCertificate()
    raw.introspectionUrl = `${await raw.serveTls(certificate)}/oauth/introspect`
    raw.answer = (res) => json(res, 200, activeAnswer(raw.issuer))
    // A process of its own: trusting a certificate authority (NODE_EXTRA_CA_CERTS) is read at start.
    // It never closes its verifier; it must still exit (the server keeps idle connections for 60 s).
    const script = `
      import { createVerifier } from ${JSON.stringify(BUILT_SDK)}
      const verifier = createVerifier(${JSON.stringify({ issuer: raw.issuer, audience: AUDIENCE, mode: 'session', client: CLIENT })})
      const auth = await verifier.verify(${JSON.stringify(OPAQUE)})
      process.stdout.write(JSON.stringify({ subject: auth.subject }))
    `
    const output = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--input-type=module', '--eval', script],
        { env: { ...process.env, NODE_EXTRA_CA_CERTS: certificate.certPath }, timeout: 15_000 },
        (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
      )
    })
    expect(JSON.parse(output)).toEqual({ subject: 'user-7' })
    expect(raw.requests).toHaveLength(1)
    expect(raw.requests[0]?.socket).toBeInstanceOf(TLSSocket)
  }, 20_000)
})
