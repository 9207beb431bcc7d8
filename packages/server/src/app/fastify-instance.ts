import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import { lazyRequestLogger } from '../http/lazy-request-logger.js'
import { type LazySchemaCompilers, lazySchemaCompilers } from '../http/lazy-schema-compilers.js'
import { sendProblem } from '../http/problem.js'
import { requestIdOf } from '../http/request-id.js'
import { TesseraError } from '../shared/errors.js'

const schemaCompilersOf = new WeakMap<object, LazySchemaCompilers>()

/** Compiles every route schema an app has not compiled yet (they compile on first use) and says how many; for tests. */
export function compileAllSchemas(app: FastifyInstance): number {
  const compilers = schemaCompilersOf.get(app)
  if (!compilers) throw new Error('not an app made by createApp')
  return compilers.compileAll()
}

/** The Fastify instance with Tessera's server options: request ids, logging, safe parsing, lazy schemas. */
export function createFastify(options: { logger: FastifyBaseLogger; trustProxy: boolean; bodyLimit: number }) {
  const schemaCompilers = lazySchemaCompilers()
  const app = Fastify({
    loggerInstance: options.logger,
    trustProxy: options.trustProxy,
    bodyLimit: options.bodyLimit,
    // The caller's X-Request-Id when well-formed, else a fresh one; logged as requestId on every line.
    genReqId: requestIdOf,
    requestIdHeader: false,
    // The per-request child logger is made when the request first logs a line (http/lazy-request-logger.ts).
    childLoggerFactory: lazyRequestLogger,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // Safe parsing: a body with __proto__ or constructor.prototype is refused, not merged.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // Router errors (an over-long path parameter, a badly encoded URL) come before any route:
    // they get a problem document too, never Fastify's own body echoing the URL.
    frameworkErrors: (_error, _request, reply) => {
      sendProblem(reply, new TesseraError('invalid_request', { detail: 'The URL is malformed or too long.' }))
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
    // Fastify's compilers, each route's schemas compiled on its first request (start-up time).
    schemaController: {
      compilersFactory: { buildValidator: schemaCompilers.buildValidator, buildSerializer: schemaCompilers.buildSerializer },
    },
  }).withTypeProvider<TypeBoxTypeProvider>()
  schemaCompilersOf.set(app, schemaCompilers)
  return app
}

/** The application type every route registration receives. */
export type TesseraFastify = ReturnType<typeof createFastify>
