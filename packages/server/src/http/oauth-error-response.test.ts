import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ERRORS, type ErrorCode, TesseraError } from '../shared/errors.js'
import { installErrorHandling } from './error-handler.js'

/** A bare app with one OAuth-rendered route and one problem-rendered route, each throwing what it is told. */
async function appThrowing(error: TesseraError): Promise<FastifyInstance> {
  const app = Fastify()
  installErrorHandling(app)
  app.get('/oauth', { config: { errors: 'oauth' } }, async () => {
    throw error
  })
  app.get('/problem', async () => {
    throw error
  })
  await app.ready()
  onTestFinished(() => app.close())
  return app
}

describe('OAuth error rendering from the error table (RFC 6749 §5.2)', () => {
  it('names every OAuth-named code as the table says, with no-store', async () => {
    const named = (Object.keys(ERRORS) as ErrorCode[]).filter((code) => ERRORS[code].oauthError !== null)
    expect(named.length).toBeGreaterThan(15)
    for (const code of named) {
      const app = await appThrowing(new TesseraError(code, { detail: 'why' }))
      const response = await app.inject({ method: 'GET', url: '/oauth' })
      expect(response.json()).toEqual({ error: ERRORS[code].oauthError, error_description: 'why' })
      expect(response.headers['content-type']).toMatch(/^application\/json/)
      expect(response.headers['cache-control']).toBe('no-store')
    }
  })

  it('sends invalid_client as 401 with a Basic challenge', async () => {
    const app = await appThrowing(new TesseraError('invalid_client'))
    const response = await app.inject({ method: 'GET', url: '/oauth' })
    expect(response.statusCode).toBe(401)
    expect(response.headers['www-authenticate']).toBe('Basic realm="tessera"')
    expect(response.json()).toEqual({ error: 'invalid_client' })
  })

  it('keeps 429 and Retry-After for a throttled client, without a challenge', async () => {
    const app = await appThrowing(new TesseraError('client_throttled', { retryAfter: 7 }))
    const response = await app.inject({ method: 'GET', url: '/oauth' })
    expect(response.statusCode).toBe(429)
    expect(response.headers['retry-after']).toBe('7')
    expect(response.headers['www-authenticate']).toBeUndefined()
    expect(response.json().error).toBe('invalid_client')
  })

  it('sends a code with no OAuth name as a 400 invalid_request, whatever its own status', async () => {
    for (const code of ['not_found', 'unauthenticated', 'email_taken'] as const) {
      const app = await appThrowing(new TesseraError(code))
      const response = await app.inject({ method: 'GET', url: '/oauth' })
      expect(response.statusCode, code).toBe(400)
      expect(response.json().error).toBe('invalid_request')
    }
  })

  it('keeps 413 for a body too large, as the JSON endpoints answer (issue 16)', async () => {
    const response = await (await appThrowing(new TesseraError('payload_too_large'))).inject({ method: 'GET', url: '/oauth' })
    expect(response.statusCode).toBe(413)
    expect(response.json().error).toBe('invalid_request')
  })

  it('keeps 429 for a rate limit and 5xx for server failures, with their OAuth names', async () => {
    const limited = await (await appThrowing(new TesseraError('rate_limited', { retryAfter: 3 }))).inject({ method: 'GET', url: '/oauth' })
    expect(limited.statusCode).toBe(429)
    expect(limited.headers['retry-after']).toBe('3')
    expect(limited.json().error).toBe('invalid_request')
    const down = await (await appThrowing(new TesseraError('store_unavailable'))).inject({ method: 'GET', url: '/oauth' })
    expect(down.statusCode).toBe(503)
    expect(down.json().error).toBe('temporarily_unavailable')
    const broken = await (await appThrowing(new TesseraError('internal_error'))).inject({ method: 'GET', url: '/oauth' })
    expect(broken.statusCode).toBe(500)
    expect(broken.json().error).toBe('server_error')
  })

  it('renders the same error as a problem document on a route without the OAuth config', async () => {
    const app = await appThrowing(new TesseraError('invalid_grant'))
    const response = await app.inject({ method: 'GET', url: '/problem' })
    expect(response.statusCode).toBe(400)
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(response.json()).toMatchObject({ code: 'invalid_grant', status: 400 })
  })
})
