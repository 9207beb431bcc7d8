import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { Browser, type Client, createClient, createUser, ISSUER, obtainCode, pkce, redeem, serve } from '../../test/oidc-fixture.js'
import { DIALECTS } from '../../test/test-database.js'
import type { TestServer } from '../../test/test-server.js'
import type { DialectName } from '../store/open-database.js'
import { BACKCHANNEL_LOGOUT_EVENT } from './logout-token.js'

// Issue 16 part 2: OpenID Connect Back-Channel Logout 1.0, against a relying party that validates
// logout tokens as §2.6 says, with jose, over real HTTP.

const CLI = { kind: 'cli' } as const

interface RelyingParty {
  url: string
  /** Logout tokens that passed every §2.6 check. */
  accepted: JWTPayload[]
  /** Why others were refused. */
  refused: string[]
  /** Statuses to answer with, in order, before answering 200. */
  failFirst: number[]
}

/**
 * A relying party's back-channel logout endpoint. §2.6: verify the signature with the OP's keys,
 * iss, aud, iat/exp, `typ` logout+jwt, an `events` object holding the back-channel member, a `sid`
 * or `sub`, and no `nonce`; answer 200.
 */
async function startRelyingParty(server: TestServer, clientId: () => string, onTestFinished: Parameters<typeof serve>[0]) {
  const jwks = createLocalJWKSet((await server.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as JSONWebKeySet)
  const party: RelyingParty = { url: '', accepted: [], refused: [], failFirst: [] }
  const http = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8')
    })
    request.on('end', async () => {
      const planned = party.failFirst.shift()
      if (planned !== undefined) return response.writeHead(planned).end()
      try {
        if (request.method !== 'POST' || request.headers['content-type'] !== 'application/x-www-form-urlencoded')
          throw new Error('not a form POST')
        const token = new URLSearchParams(body).get('logout_token')
        if (!token) throw new Error('no logout_token')
        const { payload } = await jwtVerify(token, jwks, {
          issuer: ISSUER,
          audience: clientId(),
          typ: 'logout+jwt',
          maxTokenAge: '2 minutes',
          // The relying party's clock is Tessera's manual one.
          currentDate: new Date(server.clock.now()),
        })
        const events = payload.events as Record<string, unknown> | undefined
        if (typeof events !== 'object' || events === null || typeof events[BACKCHANNEL_LOGOUT_EVENT] !== 'object')
          throw new Error('no event')
        if (typeof payload.sid !== 'string' && typeof payload.sub !== 'string') throw new Error('neither sid nor sub')
        if ('nonce' in payload) throw new Error('a nonce')
        if (typeof payload.jti !== 'string') throw new Error('no jti')
        party.accepted.push(payload)
        response.writeHead(200, { 'cache-control': 'no-store' }).end()
      } catch (error) {
        party.refused.push(String(error))
        response.writeHead(400).end()
      }
    })
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()))
  })
  party.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/backchannel-logout`
  return party
}

/** A user signed in to `client` through the browser flow: its tokens, and the session they name. */
async function signedIn(server: TestServer, client: Client, browser = new Browser(server.app)) {
  const { verifier, challenge } = pkce()
  const code = await obtainCode(server, browser, client, challenge)
  const response = await redeem(server.app, client, code, verifier)
  expect(response.statusCode).toBe(200)
  const { id_token: idToken } = response.json() as { id_token: string }
  const claims = decodeJwt(idToken)
  return { browser, sid: claims.sid as string, sub: claims.sub as string }
}

async function setUp(onTestFinished: Parameters<typeof serve>[0], dialect: DialectName = 'sqlite') {
  const server = await serve(onTestFinished, dialect)
  const userId = await createUser(server)
  const client = await createClient(server, { type: 'web' })
  const party = await startRelyingParty(server, () => client.id, onTestFinished)
  await server.tessera.services.applications.update(
    client.id,
    { backchannelLogoutUri: party.url, backchannelLogoutSessionRequired: true },
    CLI,
  )
  return { server, userId, client, party }
}

describe('back-channel logout', () => {
  for (const dialect of DIALECTS) {
    it(`tells the relying party, with a logout token it validates, when the session it signed in to ends (${dialect})`, async ({
      onTestFinished,
    }) => {
      const { server, userId, client, party } = await setUp(onTestFinished, dialect)
      // Another app with a logout URI that never received tokens for this session hears nothing.
      const bystander = await createClient(server, { type: 'spa', name: 'Bystander' })
      await server.tessera.services.applications.update(bystander.id, { backchannelLogoutUri: `${party.url}?bystander` }, CLI)
      const { sid, sub } = await signedIn(server, client)
      expect(sub).toBe(userId)

      expect(await server.tessera.backchannel.tick()).toEqual({ enqueued: 0, delivered: 0, failed: 0 })
      await server.tessera.services.sessions.revoke(sid, { reason: 'sign_out', actor: CLI })
      expect(await server.tessera.backchannel.tick(), party.refused.join()).toEqual({ enqueued: 1, delivered: 1, failed: 0 })
      expect(party.accepted).toHaveLength(1)
      expect(party.accepted[0]).toMatchObject({ iss: ISSUER, aud: client.id, sub: userId, sid })
      expect(party.accepted[0]).not.toHaveProperty('nonce')

      // Delivered once: later ticks send nothing more.
      expect(await server.tessera.backchannel.tick()).toEqual({ enqueued: 0, delivered: 0, failed: 0 })
      expect(party.accepted).toHaveLength(1)
    })

    it('reaches every relying party of every session when an operator disables the user', async ({ onTestFinished }) => {
      const { server, userId, client, party } = await setUp(onTestFinished)
      const first = await signedIn(server, client)
      const second = await signedIn(server, client) // another browser: another session
      expect(second.sid).not.toBe(first.sid)
      await server.tessera.services.users.disable(userId, CLI)
      expect(await server.tessera.backchannel.tick()).toMatchObject({ enqueued: 2, delivered: 2 })
      expect(party.accepted.map((claims) => claims.sid).sort()).toEqual([first.sid, second.sid].sort())
    })
  }

  it("still announces a deleted user's sessions, although the account is gone", async ({ onTestFinished }) => {
    const { server, userId, client, party } = await setUp(onTestFinished)
    const { sid } = await signedIn(server, client)
    await server.tessera.services.users.delete(userId, CLI)
    expect(await server.tessera.backchannel.tick()).toMatchObject({ enqueued: 1, delivered: 1 })
    expect(party.accepted[0]).toMatchObject({ sid, sub: userId })
  })

  it('retries a relying party that failed, on the webhook schedule, and logs the attempts', async ({ onTestFinished }) => {
    const { server, client, party } = await setUp(onTestFinished)
    const { sid } = await signedIn(server, client)
    party.failFirst.push(503, 500)
    await server.tessera.services.sessions.revoke(sid, { reason: 'sign_out', actor: CLI })
    expect(await server.tessera.backchannel.tick()).toEqual({ enqueued: 1, delivered: 0, failed: 1 })
    // Not due yet: nothing is sent before the retry time.
    expect(await server.tessera.backchannel.tick()).toEqual({ enqueued: 0, delivered: 0, failed: 0 })
    server.clock.advance(15_000)
    expect(await server.tessera.backchannel.tick()).toEqual({ enqueued: 0, delivered: 0, failed: 1 })
    server.clock.advance(30_000)
    expect(await server.tessera.backchannel.tick()).toEqual({ enqueued: 0, delivered: 1, failed: 0 })
    expect(party.accepted).toHaveLength(1)
    const [logout] = await server.tessera.stores.backchannel.listForClient(client.id)
    expect(logout).toMatchObject({ status: 'delivered', attempts: 3, sessionId: sid })
  })

  it('sends nothing to an application without a logout URI, and refuses bad URIs at registration', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const client = await createClient(server, { type: 'web' })
    const { sid } = await signedIn(server, client)
    await server.tessera.services.sessions.revoke(sid, { reason: 'sign_out', actor: CLI })
    expect(await server.tessera.backchannel.tick()).toEqual({ enqueued: 0, delivered: 0, failed: 0 })

    const applications = server.tessera.services.applications
    for (const uri of ['http://rp.example.test/logout', 'https://rp.example.test/logout#x', 'not a url', 'https://u:p@rp.example.test/']) {
      await expect(applications.update(client.id, { backchannelLogoutUri: uri }, CLI), uri).rejects.toMatchObject({
        code: 'invalid_request',
      })
    }
    const m2m = await applications.create({ name: 'M', type: 'm2m' }, CLI)
    await expect(applications.update(m2m.application.id, { backchannelLogoutUri: 'https://rp.example.test/' }, CLI)).rejects.toMatchObject({
      code: 'invalid_request',
    })
  })

  it('forgets relying parties of sessions past their lifetime, and finished logouts after a week', async ({ onTestFinished }) => {
    const { server, client, party } = await setUp(onTestFinished)
    const ended = await signedIn(server, client)
    const live = await signedIn(server, client)
    await server.tessera.services.sessions.revoke(ended.sid, { reason: 'sign_out', actor: CLI })
    expect(await server.tessera.backchannel.tick()).toMatchObject({ delivered: 1 })
    const store = server.tessera.stores.backchannel
    const now = server.clock.now()
    const week = 7 * 24 * 3600_000
    // Nothing is old enough yet.
    expect(await store.prune(now - 1, now - week)).toBe(0)
    expect(await store.relyingParties(live.sid)).toEqual([{ clientId: client.id, userId: ended.sub }])
    server.clock.advance(week + 1)
    expect(await store.prune(server.clock.now() - 1, server.clock.now() - week)).toBe(2)
    expect(await store.relyingParties(live.sid)).toEqual([])
    expect(await store.listForClient(client.id)).toEqual([])
    expect(party.accepted).toHaveLength(1)
  })

  it('is advertised in discovery (OIDC Back-Channel Logout 1.0 §2.1)', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const metadata = (await server.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json()
    expect(metadata).toMatchObject({ backchannel_logout_supported: true, backchannel_logout_session_supported: true })
  })
})
