import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, createUser, REDIRECT } from '../../test/oidc-fixture.js'
import { createTestServer, PASSWORD, type TestServer } from '../../test/test-server.js'
import { connectUpstream, continuedTo, signInUpstream, startUpstreamProvider, type UpstreamProvider } from '../../test/upstream-provider.js'
import type { Connection } from '../connections/connection.js'
import { RETURN_CODE_TTL_MS } from './upstream-api.js'

const CLI = { kind: 'cli' } as const

let upstream: UpstreamProvider
let server: TestServer
let connection: Connection
let app: { id: string }

/** One Tessera and one real OpenID Provider (node-oidc-provider on a loopback port) for the whole file. */
beforeAll(async () => {
  upstream = await startUpstreamProvider()
  server = await createTestServer()
  connection = await connectUpstream(server, upstream)
  app = await createClient(server, { firstParty: true })
})

afterAll(async () => {
  await server?.close()
  await upstream?.close()
})

function post(target: FastifyInstance, url: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  return target.inject({ method: 'POST', url, payload, headers })
}

/** `POST /v1/flows` for a first-party app: the flow's id and its token (the app keeps it; the browser never sees it). */
async function startFlow(clientId = app.id) {
  const started = await post(server.app, '/v1/flows', { type: 'login', clientId })
  expect(started.statusCode, started.body).toBe(201)
  const body = started.json() as { flow: { id: string }; token: string }
  return { id: body.flow.id, headers: { 'tessera-flow-token': body.token } }
}

/** The `upstream` step's first half: the upstream's authorization URL. */
async function beginUpstream(flow: { id: string; headers: Record<string, string> }, state = 'app-state-1') {
  const answer = await post(
    server.app,
    `/v1/flows/${flow.id}`,
    { step: 'upstream', connectionId: connection.id, returnTo: REDIRECT, state },
    flow.headers,
  )
  expect(answer.statusCode, answer.body).toBe(200)
  expect(answer.headers['cache-control']).toBe('no-store')
  return new URL(answer.json().redirectTo as string)
}

/** Signs in upstream and follows the callback in a browser that has never seen Tessera (no cookie). */
async function roundTrip(flow: { id: string; headers: Record<string, string> }, account: string) {
  const authorization = await beginUpstream(flow)
  const callback = await signInUpstream(authorization.href, account)
  const answer = await server.app.inject({ method: 'GET', url: callback.pathname + callback.search })
  return { callback, answer }
}

function redeem(flow: { id: string; headers: Record<string, string> }, returnCode: string) {
  return post(server.app, `/v1/flows/${flow.id}`, { step: 'upstream', returnCode, transport: 'bearer' }, flow.headers)
}

async function eventsOf(type: string) {
  const rows = await server.tessera.database.db
    .selectFrom('event_outbox')
    .select('payload')
    .where('type', '=', type)
    .orderBy('seq')
    .execute()
  return rows.map((row) => JSON.parse(row.payload) as Record<string, unknown>)
}

describe('an upstream sign-in driven by a first-party app over the flow API (issue 15 part 2)', () => {
  it('answers the authorization URL, returns the browser to the app with a one-time code, and hands the session to the token holder in JSON', async () => {
    upstream.accounts.set('alice-sub', { email: 'alice@example.com', email_verified: true, name: 'Alice' })
    const flow = await startFlow()
    const authorization = await beginUpstream(flow)
    expect(authorization.origin).toBe(upstream.issuer)
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorization.searchParams.get('state')).toMatch(new RegExp(`^${flow.id}\\.`))
    expect(authorization.searchParams.get('redirect_uri')).toBe(server.tessera.connections.service.present(connection).redirectUri)

    const callback = await signInUpstream(authorization.href, 'alice-sub')
    const answer = await server.app.inject({ method: 'GET', url: callback.pathname + callback.search })
    const back = continuedTo(answer)
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
    expect(back.searchParams.get('flow')).toBe(flow.id)
    expect(back.searchParams.get('state')).toBe('app-state-1')
    const returnCode = back.searchParams.get('code') as string
    expect(returnCode).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // The browser gets no session and no token: the URL carries only the return code.
    expect(answer.cookies.filter((cookie) => cookie.name.endsWith('tessera_session'))).toEqual([])
    expect([...back.searchParams.keys()].sort()).toEqual(['code', 'flow', 'state'])
    expect(await server.tessera.stores.users.findByEmail('alice@example.com')).toBeNull()

    const done = await redeem(flow, returnCode)
    expect(done.statusCode, done.body).toBe(200)
    expect(done.headers['cache-control']).toBe('no-store')
    const body = done.json()
    expect(body.user.email).toBe('alice@example.com')
    expect(body.flow.next).toEqual([])
    const session = await server.app.inject({
      method: 'GET',
      url: '/v1/session',
      headers: { authorization: `Bearer ${body.session.token}` },
    })
    expect(session.statusCode).toBe(200)
    expect(session.json().session.amr).toEqual(['fed'])

    // The code is good once: the flow is over.
    const replay = await redeem(flow, returnCode)
    expect([replay.statusCode, replay.json().code]).toEqual([400, 'flow_expired'])
  })

  it('names the connection in sign_in.succeeded, its audit entry and the session, for a known upstream user', async () => {
    upstream.accounts.set('carol-sub', { email: 'carol@example.com', email_verified: true })
    const first = await startFlow()
    const created = await roundTrip(first, 'carol-sub')
    expect((await redeem(first, continuedTo(created.answer).searchParams.get('code') as string)).statusCode).toBe(200)

    const again = await startFlow()
    const known = await roundTrip(again, 'carol-sub')
    const signedIn = await redeem(again, continuedTo(known.answer).searchParams.get('code') as string)
    expect(signedIn.statusCode, signedIn.body).toBe(200)
    const userId = signedIn.json().user.id as string
    const succeeded = (await eventsOf('sign_in.succeeded')).filter((payload) => payload.connectionId === connection.id)
    expect(succeeded).toEqual([{ amr: ['fed'], connectionId: connection.id }])
    await server.tessera.services.audit.catchUp()
    const audit = (await server.tessera.services.audit.list({ action: 'sign_in.succeeded', limit: 200 })).entries
    expect(audit.filter((entry) => entry.userId === userId).map((entry) => entry.detail)).toEqual([
      { amr: ['fed'], connectionId: connection.id },
    ])
    // A password sign-in names no connection.
    await createUser(server, 'dave@example.com')
    const password = await startFlow()
    const pwd = await post(
      server.app,
      `/v1/flows/${password.id}`,
      { step: 'password', email: 'dave@example.com', password: PASSWORD },
      password.headers,
    )
    expect(pwd.statusCode).toBe(200)
    expect((await eventsOf('sign_in.succeeded')).at(-1)).toEqual({ amr: ['pwd'] })
  })

  it('refuses a wrong, missing or foreign state and a replayed callback, with a page, and hands out nothing', async () => {
    upstream.accounts.set('erin-sub', { email: 'erin@example.com', email_verified: true })
    const flow = await startFlow()
    const authorization = await beginUpstream(flow)
    const callback = await signInUpstream(authorization.href, 'erin-sub')
    const state = callback.searchParams.get('state') as string
    const other = await startFlow()
    await beginUpstream(other)
    const forged: Record<string, string | null>[] = [
      { state: `${flow.id}.${'A'.repeat(43)}` },
      { state: null },
      // The state of another flow's round trip (its secret is not this one's).
      { state: `${other.id}.${state.split('.')[1]}` },
    ]
    for (const change of forged) {
      const query = new URLSearchParams(callback.search)
      if (change.state === null) query.delete('state')
      else query.set('state', change.state as string)
      const refused = await server.app.inject({ method: 'GET', url: `${callback.pathname}?${query}` })
      expect(refused.statusCode).toBe(400)
      expect(refused.headers['content-type']).toMatch(/^text\/html/)
      expect(refused.body).not.toContain('code=')
    }
    // The genuine callback still works once, then never again.
    const first = await server.app.inject({ method: 'GET', url: callback.pathname + callback.search })
    const returnCode = continuedTo(first).searchParams.get('code') as string
    const replayed = await server.app.inject({ method: 'GET', url: callback.pathname + callback.search })
    expect(replayed.statusCode).toBe(400)
    expect(replayed.body).not.toContain('code=')
    // The return code is worth nothing with another flow's token, nor on another flow.
    const foreignToken = await post(server.app, `/v1/flows/${flow.id}`, { step: 'upstream', returnCode }, other.headers)
    expect([foreignToken.statusCode, foreignToken.json().code]).toEqual([400, 'flow_expired'])
    const foreignFlow = await redeem(other, returnCode)
    expect([foreignFlow.statusCode, foreignFlow.json().code]).toEqual([400, 'upstream_code_invalid'])
    expect(await server.tessera.stores.users.findByEmail('erin@example.com')).toBeNull()
    expect((await redeem(flow, returnCode)).statusCode).toBe(200)
  })

  it('ends the round trip on a wrong return code: the right one is refused afterwards and nothing is created', async () => {
    upstream.accounts.set('frank-sub', { email: 'frank@example.com', email_verified: true })
    const flow = await startFlow()
    const { answer } = await roundTrip(flow, 'frank-sub')
    const returnCode = continuedTo(answer).searchParams.get('code') as string
    const wrong = await redeem(flow, 'B'.repeat(43))
    expect([wrong.statusCode, wrong.json().code]).toEqual([400, 'upstream_code_invalid'])
    const right = await redeem(flow, returnCode)
    expect([right.statusCode, right.json().code]).toEqual([400, 'upstream_code_invalid'])
    expect(await server.tessera.stores.users.findByEmail('frank@example.com')).toBeNull()
  })

  it('refuses a return code redeemed too late, and a callback after the flow expired', async () => {
    upstream.accounts.set('gina-sub', { email: 'gina@example.com', email_verified: true })
    const flow = await startFlow()
    const { answer } = await roundTrip(flow, 'gina-sub')
    server.clock.advance(RETURN_CODE_TTL_MS)
    const late = await redeem(flow, continuedTo(answer).searchParams.get('code') as string)
    expect([late.statusCode, late.json().code]).toEqual([400, 'upstream_code_invalid'])

    const slow = await startFlow()
    const authorization = await beginUpstream(slow)
    const callback = await signInUpstream(authorization.href, 'gina-sub')
    server.clock.advance(15 * 60_000)
    const expired = await server.app.inject({ method: 'GET', url: callback.pathname + callback.search })
    expect(expired.statusCode).toBe(400)
    expect(await server.tessera.stores.users.findByEmail('gina@example.com')).toBeNull()
  })

  it('starts only for a first-party app named at the start, a connection shown to it and one of its redirect URIs', async () => {
    const thirdParty = await createClient(server, { firstParty: false })
    const refused = await post(server.app, '/v1/flows', { type: 'login', clientId: thirdParty.id })
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'first_party_required'])
    const unknown = await post(server.app, '/v1/flows', { type: 'login', clientId: 'no-such-client' })
    expect([unknown.statusCode, unknown.json().code]).toEqual([403, 'first_party_required'])

    const anonymous = await post(server.app, '/v1/flows', { type: 'login' })
    const anonymousFlow = { id: anonymous.json().flow.id as string, headers: { 'tessera-flow-token': anonymous.json().token as string } }
    const noClient = await post(
      server.app,
      `/v1/flows/${anonymousFlow.id}`,
      { step: 'upstream', connectionId: connection.id, returnTo: REDIRECT },
      anonymousFlow.headers,
    )
    expect([noClient.statusCode, noClient.json().code]).toEqual([403, 'first_party_required'])

    const flow = await startFlow()
    const elsewhere = await post(
      server.app,
      `/v1/flows/${flow.id}`,
      { step: 'upstream', connectionId: connection.id, returnTo: `${REDIRECT}/../evil` },
      flow.headers,
    )
    expect([elsewhere.statusCode, elsewhere.json().code]).toEqual([400, 'redirect_uri_mismatch'])

    // A connection shown to another application only is not offered to this one.
    const other = await createClient(server, { firstParty: true })
    const restricted = await server.tessera.connections.service.create(
      {
        type: 'oidc',
        name: 'Restricted',
        issuer: upstream.issuer,
        clientId: upstream.clientId,
        clientSecret: upstream.clientSecret,
        allowInsecureDevelopment: true,
        applications: [other.id],
      },
      CLI,
    )
    const hidden = await post(
      server.app,
      `/v1/flows/${flow.id}`,
      { step: 'upstream', connectionId: restricted.id, returnTo: REDIRECT },
      flow.headers,
    )
    expect([hidden.statusCode, hidden.json().code]).toEqual([404, 'connection_not_found'])
  })

  it('sends an upstream refusal back to the app as an error, and records the upstream error name without any token', async () => {
    const flow = await startFlow()
    const authorization = await beginUpstream(flow, 'app-state-2')
    const state = authorization.searchParams.get('state') as string
    const query = new URLSearchParams({ error: 'access_denied', state, iss: upstream.issuer })
    const answer = await server.app.inject({ method: 'GET', url: `/oauth/callback/${connection.id}?${query}` })
    const back = continuedTo(answer)
    expect(Object.fromEntries(back.searchParams)).toEqual({ flow: flow.id, state: 'app-state-2', error: 'upstream_rejected' })
    expect((await eventsOf('sign_in.upstream_failed')).at(-1)).toEqual({
      connectionId: connection.id,
      reason: 'authorization_error',
      upstreamError: 'access_denied',
    })
    const redeemed = await redeem(flow, 'C'.repeat(43))
    expect(redeemed.json().code).toBe('upstream_code_invalid')
  })
})
