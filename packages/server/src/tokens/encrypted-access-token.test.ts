import type { AddressInfo } from 'node:net'
import { type BearerVerifier, createVerifier } from '@tessera/sdk'
import { requireAuth as expressAuth } from '@tessera/sdk/express'
import { type AuthEnv, requireAuth as honoAuth } from '@tessera/sdk/hono'
import express from 'express'
import Fastify, { type preHandlerHookHandler } from 'fastify'
import { Hono } from 'hono'
import { CompactEncrypt, compactDecrypt, createLocalJWKSet, decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { clientCredentials as adminToken } from '../../test/admin-client.js'
import { injectFetch } from '../../test/inject-fetch.js'
import {
  API,
  basic,
  CLI,
  type Client,
  clientCredentials,
  createClient,
  createUser,
  ISSUER,
  introspect,
  post,
  tokensFor,
} from '../../test/oauth-fixture.js'
import { createTestServer, type TestServer } from '../../test/test-server.js'

const ALG = 'ECDH-ES+A256KW'

interface Setup {
  server: TestServer
  privateJwk: JWK
  m2m: Client
  resourceServer: Client
}

/** A server whose API encrypts its tokens to a key pair Tessera made, an M2M client and the API's resource server. */
async function setup(onTestFinished: (fn: () => Promise<void>) => void, logLines?: string[]): Promise<Setup> {
  const server = await createTestServer({ dialect: 'sqlite', ...(logLines ? { logLines } : {}) })
  onTestFinished(() => server.close())
  const { privateJwk } = await server.tessera.services.apis.register(
    { identifier: API, name: 'Orders', mode: 'hybrid', scopes: ['read', 'write'], encryption: { generate: 'P-256' } },
    CLI,
  )
  if (!privateJwk) throw new Error('no private key returned')
  const m2m = await createClient(server, { type: 'm2m', grants: ['client_credentials'] })
  const resourceServer = await createClient(server, { type: 'resource-server', apis: [API] })
  return { server, privateJwk, m2m, resourceServer }
}

async function machineToken(server: TestServer, client: Client): Promise<string> {
  const response = await clientCredentials(server, client, { scope: 'read' })
  expect(response.statusCode, response.body).toBe(200)
  return response.json().access_token as string
}

/** A `fetch` that sends the SDK's requests for the issuer to the app in memory. */
function sdkFetch(server: TestServer) {
  const inject = injectFetch(server.app)
  return (input: string, init?: RequestInit) =>
    inject(input, { method: init?.method ?? 'GET', headers: Object.fromEntries(new Headers(init?.headers).entries()) })
}

type Send = (token: string) => Promise<{ status: number; code: string | null }>

/** One route behind the SDK's requireAuth in each framework, as packages/sdk/test/adapter-servers.ts has them (built SDK). */
const ADAPTERS: Record<string, (verifier: BearerVerifier, onTestFinished: (fn: () => Promise<void>) => void) => Promise<Send>> = {
  async express(verifier, onTestFinished) {
    const app = express()
    app.get('/orders', expressAuth(verifier, { scopes: ['read'] }), (req, res) => res.json({ subject: req.auth?.subject }))
    const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
    })
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return async (token) => {
      const response = await fetch(`${base}/orders`, { headers: { authorization: `Bearer ${token}` } })
      return { status: response.status, code: ((await response.json()) as { code?: string }).code ?? null }
    }
  },
  async fastify(verifier, onTestFinished) {
    // Loaded untyped: its `request.auth` declaration clashes with the server's own in this program.
    const entry = '@tessera/sdk/fastify'
    const { requireAuth: fastifyAuth } = (await import(entry)) as {
      requireAuth: (verifier: BearerVerifier, options: { scopes: string[] }) => preHandlerHookHandler
    }
    const app = Fastify()
    app.get('/orders', { preHandler: fastifyAuth(verifier, { scopes: ['read'] }) }, async (request) => ({
      subject: (request as unknown as { auth?: { subject: string } }).auth?.subject,
    }))
    onTestFinished(() => app.close())
    return async (token) => {
      const response = await app.inject({ method: 'GET', url: '/orders', headers: { authorization: `Bearer ${token}` } })
      return { status: response.statusCode, code: response.json().code ?? null }
    }
  },
  async hono(verifier) {
    const app = new Hono<AuthEnv>()
    app.get('/orders', honoAuth(verifier, { scopes: ['read'] }), (c) => c.json({ subject: c.get('auth').subject }))
    return async (token) => {
      const response = await app.request('http://internal.local/orders', { headers: { authorization: `Bearer ${token}` } })
      return { status: response.status, code: ((await response.json()) as { code?: string }).code ?? null }
    }
  },
}

describe('encrypted access tokens (issue 16 part 7)', () => {
  it('issues a nested JWT that jose, as a third party, decrypts with the private key and verifies against the JWKS', async ({
    onTestFinished,
  }) => {
    const { server, privateJwk, m2m } = await setup(onTestFinished)
    const token = await machineToken(server, m2m)
    expect(token.split('.')).toHaveLength(5)
    const header = decodeProtectedHeader(token)
    // RFC 7519 §5.2, RFC 7516: the algorithms Tessera uses, the key it names, and "a JWT inside".
    expect(header).toMatchObject({ alg: ALG, enc: 'A256GCM', cty: 'JWT', kid: privateJwk.kid })
    const { plaintext } = await compactDecrypt(token, await importJWK(privateJwk, ALG), {
      keyManagementAlgorithms: [ALG],
      contentEncryptionAlgorithms: ['A256GCM'],
    })
    const inner = new TextDecoder().decode(plaintext)
    const jwks = createLocalJWKSet((await server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json())
    const { payload, protectedHeader } = await jwtVerify(inner, jwks, {
      issuer: ISSUER,
      audience: API,
      typ: 'at+jwt',
      currentDate: new Date(server.clock.now()),
    })
    expect(protectedHeader.alg).toBe('ES256')
    expect(payload).toMatchObject({ sub: m2m.id, client_id: m2m.id, scope: 'read' })
    // Without the key there is nothing to read: the claims are not in the token as sent.
    expect(token).not.toContain(inner.split('.')[1] as string)
  })

  it('verifies through the SDK in each adapter (express, fastify, hono) with the key Tessera gave', async ({ onTestFinished }) => {
    const { server, privateJwk, m2m } = await setup(onTestFinished)
    const verifier = createVerifier({
      issuer: ISSUER,
      audience: API,
      mode: 'jwt',
      fetch: sdkFetch(server),
      clock: server.clock,
      encryption: { keys: [privateJwk] },
    })
    const withoutKey = createVerifier({ issuer: ISSUER, audience: API, mode: 'jwt', fetch: sdkFetch(server), clock: server.clock })
    onTestFinished(async () => {
      await verifier.close()
      await withoutKey.close()
    })
    const token = await machineToken(server, m2m)
    await expect(verifier.verify(token, { scopes: ['read'] })).resolves.toMatchObject({ clientId: m2m.id })
    for (const [name, serve] of Object.entries(ADAPTERS)) {
      expect(await (await serve(verifier, onTestFinished))(token), name).toEqual({ status: 200, code: null })
      expect(await (await serve(withoutKey, onTestFinished))(token), name).toEqual({ status: 401, code: 'invalid_token' })
    }
  })

  it('introspects an encrypted token it cannot decrypt: active, then inactive once revoked, and the feed names its jti', async ({
    onTestFinished,
  }) => {
    const { server, privateJwk, m2m, resourceServer } = await setup(onTestFinished)
    const token = await machineToken(server, m2m)
    const { plaintext } = await compactDecrypt(token, await importJWK(privateJwk, ALG))
    const jti = JSON.parse(Buffer.from(new TextDecoder().decode(plaintext).split('.')[1] as string, 'base64url').toString()).jti
    const active = (await introspect(server, resourceServer, token)).json()
    expect(active).toMatchObject({ active: true, client_id: m2m.id, aud: API, scope: 'read', jti, token_type: 'Bearer' })
    // A token of the same shape that Tessera never issued is unknown.
    const parts = token.split('.')
    parts[3] = Buffer.from('x'.repeat(24)).toString('base64url')
    expect((await introspect(server, resourceServer, parts.join('.'))).json()).toEqual({ active: false })
    // RFC 7009 by its own client.
    expect((await post(server, '/oauth/revoke', { token }, m2m)).statusCode).toBe(200)
    expect((await introspect(server, resourceServer, token)).json()).toEqual({ active: false })
    const feed = await server.app.inject({ method: 'GET', url: '/v1/revocations', headers: { authorization: basic(resourceServer) } })
    expect(feed.json().entries).toContainEqual(expect.objectContaining({ kind: 'access_token', jti }))
  })

  it('encrypts user tokens too, which die at introspection when their session ends', async ({ onTestFinished }) => {
    const { server, resourceServer } = await setup(onTestFinished)
    const web = await createClient(server, { type: 'web', apis: [API], scopes: ['read'] })
    const user = await createUser(server)
    const tokens = await tokensFor(server, web, user, { scope: 'read' })
    expect(tokens.access_token.split('.')).toHaveLength(5)
    expect((await introspect(server, resourceServer, tokens.access_token)).json()).toMatchObject({ active: true, sub: user.id })
    const signOut = await server.app.inject({ method: 'POST', url: '/v1/sign-out', headers: { authorization: `Bearer ${user.token}` } })
    expect(signOut.statusCode, signOut.body).toBeLessThan(300)
    expect((await introspect(server, resourceServer, tokens.access_token)).json()).toEqual({ active: false })
  })

  it('refuses a private key, another curve, a session-mode API, and a move to session mode; changes nothing', async ({
    onTestFinished,
  }) => {
    const { server, privateJwk } = await setup(onTestFinished)
    const { apis } = server.tessera.services
    const api = await apis.get(API)
    const { d: _d, ...publicJwk } = privateJwk
    const base = { name: 'Other', mode: 'jwt' as const, scopes: [] }
    for (const [identifier, encryption] of [
      ['https://a.example.test', { publicJwk: privateJwk }],
      ['https://b.example.test', { publicJwk: { ...publicJwk, crv: 'P-384' } }],
      ['https://c.example.test', { publicJwk: { ...publicJwk, x: publicJwk.y } }],
      ['https://d.example.test', { publicJwk: { ...publicJwk, alg: 'RSA-OAEP' } }],
      ['https://e.example.test', { publicJwk: 'not a key' }],
    ] as const) {
      await expect(apis.register({ ...base, identifier, encryption }, CLI), identifier).rejects.toMatchObject({ code: 'invalid_request' })
      expect(await apis.find(identifier)).toBeNull()
    }
    await expect(
      apis.register({ ...base, identifier: 'https://f.example.test', mode: 'session', encryption: { generate: 'P-256' } }, CLI),
    ).rejects.toMatchObject({ code: 'invalid_request' })
    await expect(apis.update(api.id, { mode: 'session' }, CLI)).rejects.toMatchObject({ code: 'invalid_request' })
    expect((await apis.get(API)).mode).toBe('hybrid')
    // The API's own public key is accepted, with the kid it brings.
    const own = await apis.register(
      { ...base, identifier: 'https://g.example.test', encryption: { publicJwk: { ...publicJwk, kid: 'mine' } } },
      CLI,
    )
    expect(own.privateJwk).toBeNull()
    expect(own.api.encryptionKey).toMatchObject({ kid: 'mine', kty: 'EC', crv: 'P-256', alg: ALG, use: 'enc' })
    expect(own.api.encryptionKey).not.toHaveProperty('d')
  })

  it('rotates through the admin API: the private key is returned once, never stored, logged or audited', async ({ onTestFinished }) => {
    const logLines: string[] = []
    const { server, privateJwk, m2m } = await setup(onTestFinished, logLines)
    const { clientId, clientSecret } = await server.tessera.services.adminBootstrap.bootstrap(CLI)
    const admin = await adminToken(server, clientId, clientSecret, 'urn:tessera:admin', 'admin:read admin:write')
    const call = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown) =>
      server.app.inject({
        method,
        url: `/admin/v1${url}`,
        headers: { authorization: `Bearer ${admin}` },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      })
    const api = await server.tessera.services.apis.get(API)
    const before = await machineToken(server, m2m)
    const rotated = await call('PUT', `/apis/${api.id}/encryption-key`, { generate: 'X25519' })
    expect(rotated.statusCode, rotated.body).toBe(200)
    const { privateJwk: next, api: view } = rotated.json()
    expect(next).toMatchObject({ kty: 'OKP', crv: 'X25519', alg: ALG, use: 'enc', d: expect.any(String) })
    expect(view).toMatchObject({ encryptTokens: true, encryptionKey: { kid: next.kid, crv: 'X25519' } })
    expect(view.encryptionKey).not.toHaveProperty('d')
    const after = await machineToken(server, m2m)
    expect(decodeProtectedHeader(after).kid).toBe(next.kid)
    // Each token opens with the key it was issued under.
    await expect(compactDecrypt(after, await importJWK(next, ALG))).resolves.toBeDefined()
    await expect(compactDecrypt(before, await importJWK(privateJwk, ALG))).resolves.toBeDefined()
    // Read back, the API shows the public key only.
    expect((await call('GET', `/apis/${api.id}`)).json().api).not.toHaveProperty('privateJwk')
    const bad = await call('PUT', `/apis/${api.id}/encryption-key`, { publicJwk: next })
    expect(bad.statusCode).toBe(400)
    const off = await call('DELETE', `/apis/${api.id}/encryption-key`)
    expect(off.json().api).toMatchObject({ encryptTokens: false, encryptionKey: null })
    expect((await machineToken(server, m2m)).split('.')).toHaveLength(3)
    const created = await call('POST', '/apis', {
      identifier: 'https://new.example.test',
      name: 'New',
      mode: 'jwt',
      encryption: { generate: 'P-256' },
    })
    expect(created.statusCode, created.body).toBe(201)
    const third = created.json().privateJwk as JWK
    expect(third.d).toEqual(expect.any(String))

    // Nowhere at rest, in the outbox, the audit log or the logs.
    await server.tessera.services.audit.catchUp()
    const db = server.tessera.database.db
    const stored = JSON.stringify([
      await db.selectFrom('apis').selectAll().execute(),
      await db.selectFrom('event_outbox').selectAll().execute(),
      await db.selectFrom('audit_log').selectAll().execute(),
    ])
    for (const secret of [privateJwk.d, next.d, third.d] as string[]) {
      expect(stored).not.toContain(secret)
      expect(logLines.join('\n')).not.toContain(secret)
    }
    expect(logLines.length).toBeGreaterThan(0)
    const audit = await server.tessera.services.audit.list({ action: 'api.updated', limit: 10 })
    expect(audit.entries.map((entry) => entry.detail)).toContainEqual(expect.objectContaining({ encryptionKid: next.kid }))
  })

  it('a token encrypted by someone else to the API key is not one of Tessera’s at introspection', async ({ onTestFinished }) => {
    const { server, privateJwk, m2m, resourceServer } = await setup(onTestFinished)
    const genuine = await machineToken(server, m2m)
    const { d: _d, ...publicJwk } = privateJwk
    // Anyone can encrypt to a public key: re-encrypting the genuine inner token gives a new JWE Tessera never issued.
    const { plaintext } = await compactDecrypt(genuine, await importJWK(privateJwk, ALG))
    const copy = await new CompactEncrypt(plaintext)
      .setProtectedHeader({ alg: ALG, enc: 'A256GCM', cty: 'JWT', kid: privateJwk.kid as string })
      .encrypt(await importJWK(publicJwk, ALG))
    expect((await introspect(server, resourceServer, copy)).json()).toEqual({ active: false })
    expect((await introspect(server, resourceServer, genuine)).json()).toMatchObject({ active: true })
  })
})
