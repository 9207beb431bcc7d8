import type { FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { createUser, serve } from '../../test/oidc-fixture.js'
import { PASSWORD } from '../../test/test-server.js'

function post(app: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers })
}

async function started(app: FastifyInstance) {
  const response = await post(app, '/v1/flows', { type: 'login' })
  expect(response.statusCode).toBe(201)
  const body = response.json() as { flow: { id: string; next: string[] }; token: string }
  return { id: body.flow.id, token: body.token, flow: body.flow, headers: { 'tessera-flow-token': body.token } }
}

describe('the flow API for first-party JSON clients', () => {
  it('starts a login flow, shows its state to the holder of its token only, and signs in through its password step', async ({
    onTestFinished,
  }) => {
    const server = await serve(onTestFinished)
    await createUser(server)
    const { id, token, flow, headers } = await started(server.app)
    expect(flow.next).toEqual(['password', 'registration'])
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)

    expect((await server.app.inject({ method: 'GET', url: `/v1/flows/${id}`, headers })).json().flow.id).toBe(id)
    for (const other of [{}, { 'tessera-flow-token': 'A'.repeat(43) }]) {
      const refused = await server.app.inject({ method: 'GET', url: `/v1/flows/${id}`, headers: other })
      expect([refused.statusCode, refused.json().code]).toEqual([400, 'flow_expired'])
    }

    // A wrong password is refused and the flow stays as it was.
    const wrong = await post(
      server.app,
      `/v1/flows/${id}`,
      { step: 'password', email: 'ann@example.com', password: 'nope nope nope' },
      headers,
    )
    expect([wrong.statusCode, wrong.json().code]).toEqual([401, 'invalid_credentials'])
    expect((await server.app.inject({ method: 'GET', url: `/v1/flows/${id}`, headers })).json().flow.done).toEqual([])

    const done = await post(
      server.app,
      `/v1/flows/${id}`,
      { step: 'password', email: 'ann@example.com', password: PASSWORD, transport: 'bearer' },
      headers,
    )
    expect(done.statusCode).toBe(200)
    const body = done.json()
    expect(body.flow.next).toEqual([])
    expect(body.session.token).toMatch(/\./)
    const session = await server.app.inject({
      method: 'GET',
      url: '/v1/session',
      headers: { authorization: `Bearer ${body.session.token}` },
    })
    expect(session.statusCode).toBe(200)
    // The flow is over: it cannot be read or used again.
    expect((await server.app.inject({ method: 'GET', url: `/v1/flows/${id}`, headers })).statusCode).toBe(400)
    const again = await post(server.app, `/v1/flows/${id}`, { step: 'password', email: 'ann@example.com', password: PASSWORD }, headers)
    expect(again.json().code).toBe('flow_expired')
  })

  it('creates an account through the registration step, and refuses a cross-site submit', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const { id, headers } = await started(server.app)
    const body = { step: 'registration', email: 'bob@example.com', password: PASSWORD }
    const crossSite = await post(server.app, `/v1/flows/${id}`, body, { ...headers, origin: 'https://evil.example' })
    expect([crossSite.statusCode, crossSite.json().code]).toEqual([403, 'csrf_rejected'])
    const created = await post(server.app, `/v1/flows/${id}`, body, headers)
    expect(created.statusCode).toBe(200)
    expect(created.json().user.email).toBe('bob@example.com')
    expect(created.cookies.some((cookie) => cookie.name.endsWith('tessera_session'))).toBe(true)
  })

  it('expires a flow after 15 minutes', async ({ onTestFinished }) => {
    const server = await serve(onTestFinished)
    const { id, headers } = await started(server.app)
    server.clock.advance(15 * 60_000)
    expect((await server.app.inject({ method: 'GET', url: `/v1/flows/${id}`, headers })).json().code).toBe('flow_expired')
  })
})
