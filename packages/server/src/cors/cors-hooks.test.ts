import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it } from 'vitest'
import { installCors } from './cors-hooks.js'

// Issue 17: the CORS hooks are put on each route that declares a policy when it is registered,
// not run on every request. These tests register routes the way a later feature would (in a
// plugin, under a prefix, with hooks of its own) and check that each still gets its policy.

const ISSUER = 'https://id.example.test'
const OTHER = 'https://evil.example.test'

/** A bare app with the CORS hooks, no known application (so no origin is allowed), and a log of what ran. */
function appWithCors() {
  const app = Fastify()
  const ran: string[] = []
  installCors(app, {
    issuerOrigin: ISSUER,
    findApplication: async () => null,
    isOriginOfAnyApplication: async () => false,
    clientOfAccessToken: async () => null,
  })
  app.setErrorHandler((error: { code?: string }, _request, reply) => reply.code(400).send({ code: error.code }))
  return { app, ran }
}

async function laterRoutes(app: FastifyInstance, ran: string[]) {
  await app.register(
    async (child) => {
      child.get('/document', { config: { cors: 'public' } }, async () => ({ ok: true }))
      child.post(
        '/endpoint',
        {
          config: { cors: 'client' },
          onRequest: (_request, _reply, done) => {
            ran.push('own onRequest')
            done()
          },
          preHandler: [
            (_request, _reply, done) => {
              ran.push('own preHandler')
              done()
            },
          ],
        },
        async () => {
          ran.push('handler')
          return { ok: true }
        },
      )
      child.get('/plain', async () => ({ ok: true }))
    },
    { prefix: '/later' },
  )
}

describe('CORS hooks on routes registered after installCors', () => {
  it('give a public document to any origin, on GET and on the HEAD Fastify adds for it', async () => {
    const { app, ran } = appWithCors()
    await laterRoutes(app, ran)
    for (const method of ['GET', 'HEAD'] as const) {
      const response = await app.inject({ method, url: '/later/document', headers: { origin: OTHER } })
      expect([response.statusCode, response.headers['access-control-allow-origin']]).toEqual([200, '*'])
    }
  })

  it("refuse another origin at a client route before the route's own hooks spend anything", async () => {
    const { app, ran } = appWithCors()
    await laterRoutes(app, ran)
    const refused = await app.inject({
      method: 'POST',
      url: '/later/endpoint',
      headers: { origin: OTHER, authorization: 'Basic YzE6eA==' },
    })
    expect([refused.statusCode, refused.json().code, refused.headers.vary]).toEqual([400, 'origin_not_allowed', 'Origin'])
    expect(ran).toEqual(['own onRequest'])
    const sameOrigin = await app.inject({ method: 'POST', url: '/later/endpoint', headers: { origin: ISSUER } })
    expect([sameOrigin.statusCode, sameOrigin.headers.vary, sameOrigin.headers['access-control-allow-origin']]).toEqual([
      200,
      'Origin',
      undefined,
    ])
    expect(ran).toEqual(['own onRequest', 'own onRequest', 'own preHandler', 'handler'])
  })

  it('add nothing to a route without a policy, and answer its preflight as not found', async () => {
    const { app, ran } = appWithCors()
    await laterRoutes(app, ran)
    const response = await app.inject({ method: 'GET', url: '/later/plain', headers: { origin: OTHER } })
    expect([response.statusCode, response.headers['access-control-allow-origin'], response.headers.vary]).toEqual([
      200,
      undefined,
      undefined,
    ])
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/later/plain',
      headers: { origin: OTHER, 'access-control-request-method': 'GET' },
    })
    expect(preflight.statusCode).toBe(400)
    expect(preflight.json().code).toBe('not_found')
  })
})
