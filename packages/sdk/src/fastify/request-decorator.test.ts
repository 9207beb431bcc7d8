import { Agent, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createFixture } from '../../test/verifier-fixture.js'
import { requireAuth } from './require-auth.js'

// `request.auth` with and without `app.decorateRequest('auth')`, the declaration Fastify's
// Decorators reference recommends and docs/sdk.md describes (the hook cannot make it: it is not a
// plugin; docs/architecture.md §9 has the measurement). The hook must work both ways, in any
// encapsulated plugin, and never let one request see another's auth (issue 17).

const BILLING = 'https://billing.example.test'

/**
 * Listens on 127.0.0.1; `get` sends every request over one keep-alive connection, and `ports` holds
 * the client port of each request the server saw (one port: one connection).
 */
async function listen(app: FastifyInstance) {
  const ports: number[] = []
  app.addHook('onRequest', (request, _reply, done) => {
    ports.push(request.socket.remotePort as number)
    done()
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  onTestFinished(async () => {
    agent.destroy()
    await app.close()
  })
  const { port } = app.server.address() as AddressInfo
  const get = (path: string, authorization?: string) =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const headers = authorization ? { authorization } : {}
      httpRequest({ host: '127.0.0.1', port, path, headers, agent }, (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          text += chunk
        })
        response.on('end', () => resolve({ status: response.statusCode as number, body: JSON.parse(text) }))
      })
        .on('error', reject)
        .end()
    })
  return { get, ports }
}

/** What a handler sees of `request.auth`: the subject, or how it is absent. */
function seen(auth: { subject: string } | null | undefined): string {
  return auth === undefined ? 'undefined' : auth === null ? 'null' : auth.subject
}

describe('request.auth on Fastify requests', () => {
  for (const decorated of [false, true]) {
    it(`leaves nothing of a request's auth to the next request on the same connection (${decorated ? 'declared with decorateRequest' : 'undeclared'})`, async () => {
      const { verifier, token } = await createFixture()
      const app = Fastify()
      if (decorated) app.decorateRequest('auth')
      app.get('/orders', { preHandler: requireAuth(verifier) }, async (request) => ({ auth: seen(request.auth) }))
      app.get('/open', async (request) => ({ auth: seen(request.auth) }))
      const { get, ports } = await listen(app)
      const bearer = `Bearer ${await token()}`

      expect(await get('/orders', bearer)).toEqual({ status: 200, body: { auth: 'user-1' } })
      expect((await get('/orders')).status).toBe(401)
      expect(await get('/open')).toEqual({ status: 200, body: { auth: 'undefined' } })
      expect((await get('/orders', 'Bearer not-a-jwt')).status).toBe(401)
      expect(await get('/orders', bearer)).toEqual({ status: 200, body: { auth: 'user-1' } })
      expect(await get('/open')).toEqual({ status: 200, body: { auth: 'undefined' } })
      // One connection throughout: the client's port never changed.
      expect(ports).toHaveLength(6)
      expect(new Set(ports).size).toBe(1)
    })
  }

  it('serves two encapsulated plugins, each declaring auth and guarding with its own verifier, without one leaking into the other', async () => {
    const { verifier, token, another } = await createFixture()
    const billing = another({ audience: BILLING })
    const app = Fastify()
    app.register(async (orders) => {
      orders.decorateRequest('auth')
      orders.addHook('preHandler', requireAuth(verifier))
      orders.get('/orders', async (request) => ({ auth: seen(request.auth) }))
    })
    app.register(async (invoices) => {
      invoices.decorateRequest('auth')
      invoices.addHook('preHandler', requireAuth(billing))
      invoices.get('/invoices', async (request) => ({ auth: seen(request.auth) }))
    })
    app.get('/open', async (request) => ({ auth: seen(request.auth) }))
    const { get } = await listen(app)
    const forOrders = `Bearer ${await token()}`
    const forBilling = `Bearer ${await token({ aud: BILLING, sub: 'user-2' })}`

    expect(await get('/orders', forOrders)).toEqual({ status: 200, body: { auth: 'user-1' } })
    expect(await get('/invoices', forBilling)).toEqual({ status: 200, body: { auth: 'user-2' } })
    // Each plugin's verifier refuses the other audience's token, whichever ran last.
    expect((await get('/invoices', forOrders)).status).toBe(401)
    expect((await get('/orders', forBilling)).status).toBe(401)
    expect(await get('/open')).toEqual({ status: 200, body: { auth: 'undefined' } })
  })

  it('guards the routes of a plugin when auth is declared once at the root, and leaves the root routes without it', async () => {
    const { verifier, token } = await createFixture()
    const app = Fastify()
    app.decorateRequest('auth')
    app.register(async (orders) => {
      orders.addHook('preHandler', requireAuth(verifier))
      orders.get('/orders', async (request) => ({ auth: seen(request.auth) }))
    })
    app.get('/open', async (request) => ({ auth: seen(request.auth) }))
    const { get } = await listen(app)

    expect(await get('/orders', `Bearer ${await token()}`)).toEqual({ status: 200, body: { auth: 'user-1' } })
    expect((await get('/orders')).status).toBe(401)
    expect(await get('/open', `Bearer ${await token()}`)).toEqual({ status: 200, body: { auth: 'undefined' } })
  })
})
