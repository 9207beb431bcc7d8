import { createRequire } from 'node:module'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestServer, type TestServer } from '../../test/test-server.js'
import { compileAllSchemas } from '../app/fastify-instance.js'
import { lazySchemaCompilers, type SchemaCompilerLibraries } from './lazy-schema-compilers.js'

const require = createRequire(import.meta.url)
/** The real libraries, loaded by the test, with a count of how often the compilers asked for them. */
function countedLibraries(fail = false) {
  const loads = { ajv: 0, serializer: 0 }
  const libraries: SchemaCompilerLibraries = {
    ajvCompiler() {
      loads.ajv++
      if (fail) throw new Error('Cannot find module ajv')
      return require('@fastify/ajv-compiler').AjvCompiler
    },
    serializerSelector() {
      loads.serializer++
      if (fail) throw new Error('Cannot find module fast-json-stringify')
      return require('@fastify/fast-json-stringify-compiler').SerializerSelector
    },
  }
  return { loads, libraries }
}

function appWith(compilers = lazySchemaCompilers()) {
  const app = Fastify({
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator: compilers.buildValidator, buildSerializer: compilers.buildSerializer } },
  })
  return { app, compilers }
}

const nameBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', maxLength: 5 } },
} as const
const greeting = { 200: { type: 'object', properties: { greeting: { type: 'string' } } } } as const

describe('lazy schema compilers', () => {
  it('compile a route’s schemas on its first request, then validate and serialize as Fastify’s own compilers do', async () => {
    const { app, compilers } = appWith()
    app.post('/hello', { schema: { body: nameBody, response: greeting } }, async (request) => ({
      greeting: `hello ${(request.body as { name: string }).name}`,
      // Not in the response schema: the serializer must drop it.
      secret: 'never sent',
    }))
    await app.ready()
    expect(compilers.pending()).toBeGreaterThan(0)

    const ok = await app.inject({ method: 'POST', url: '/hello', payload: { name: 'ann' } })
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual({ greeting: 'hello ann' })
    expect(compilers.pending()).toBe(0)

    for (const payload of [{ name: 'too long a name' }, { name: 'ann', extra: 1 }, {}]) {
      const bad = await app.inject({ method: 'POST', url: '/hello', payload })
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400)
      expect(bad.json().code).toBe('FST_ERR_VALIDATION')
    }
    await app.close()
  })

  it('load Ajv and fast-json-stringify with the first compilation, not when routes are registered', async () => {
    const { loads, libraries } = countedLibraries()
    const { app } = appWith(lazySchemaCompilers(libraries))
    app.get('/plain', async () => ({ ok: true }))
    app.post('/hello', { schema: { body: nameBody, response: greeting } }, async () => ({ greeting: 'hi' }))
    await app.ready()
    expect((await app.inject({ method: 'GET', url: '/plain' })).statusCode).toBe(200)
    expect(loads).toEqual({ ajv: 0, serializer: 0 })

    expect((await app.inject({ method: 'POST', url: '/hello', payload: { name: 'ann' } })).json()).toEqual({ greeting: 'hi' })
    expect(loads).toEqual({ ajv: 1, serializer: 1 })
    await app.inject({ method: 'POST', url: '/hello', payload: { name: 'bob' } })
    expect(loads).toEqual({ ajv: 1, serializer: 1 })
    await app.close()
  })

  it('answer an error to the request whose compilation cannot load its library, and keep serving', async () => {
    const { libraries } = countedLibraries(true)
    const { app } = appWith(lazySchemaCompilers(libraries))
    app.get('/plain', async () => ({ ok: true }))
    app.post('/hello', { schema: { body: nameBody } }, async () => ({ greeting: 'hi' }))
    await app.ready()
    const failed = await app.inject({ method: 'POST', url: '/hello', payload: { name: 'ann' } })
    expect(failed.statusCode).toBe(500)
    expect(failed.body).not.toContain('greeting')
    expect((await app.inject({ method: 'GET', url: '/plain' })).statusCode).toBe(200)
    await app.close()
  })

  it('report a schema that does not compile when asked to compile everything', async () => {
    const { app, compilers } = appWith()
    app.post('/broken', { schema: { body: { type: 'object', properties: { n: { type: 'no-such-type' } } } } }, async () => ({}))
    await app.ready()
    expect(() => compilers.compileAll()).toThrow(/no-such-type|type/)
    await app.close()
  })

  it('refuse a header schema at start-up rather than validate headers differently from Fastify', async () => {
    const { app } = appWith()
    app.get('/h', { schema: { headers: { type: 'object', properties: { 'x-a': { type: 'string' } } } } }, async () => ({}))
    await expect(app.ready()).rejects.toThrow(/header schemas are not supported/)
  })
})

describe('Tessera’s routes', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await createTestServer()
    await server.app.ready()
  })
  afterAll(() => server.close())

  it('every schema of every route compiles', () => {
    // Dozens of routes carry schemas, none compiled before a request asks: all compile now.
    expect(compileAllSchemas(server.app)).toBeGreaterThan(50)
    expect(compileAllSchemas(server.app)).toBe(0)
  })
})
