// A GET /healthz server for bench/tools/callgrind-pipeline.mjs: a bare Fastify 5 (`logger: false`,
// the handler Tessera's /healthz has) with Tessera's per-request pieces added by name, or Tessera
// itself, to measure what every request pays in Tessera over a bare Fastify (docs/architecture.md
// §9, "Per-request cost over bare Fastify"). argv[2]: a comma list of pieces, in any order:
//   logger     pino at `silent` as app/logger.ts makes it, with Fastify's LogController (request-id label)
//   lazylog    the lazy per-request child logger (http/lazy-request-logger.ts)
//   reqid      the request id (http/request-id.ts: the caller's X-Request-Id when acceptable, else a UUID)
//   opts       the other server options of app/fastify-instance.ts (poisoning, frameworkErrors, ajv, lazy schemas)
//   ctp        text/plain parser removed, the empty-body parser (http/empty-body.ts)
//   errors     the error and not-found handlers (http/error-handler.ts)
//   metrics    the onResponse metrics hook (metrics/http-metrics.ts)
//   csrf, cors the CSRF preHandler (http/csrf.ts), CORS's onRoute and OPTIONS route (cors/cors-hooks.ts)
//   cookie     @fastify/cookie;  ratelimit  @fastify/rate-limit with global: false, and the `auth` decorator
//   headers    app/global-hooks.ts's onSend hook, addResponseHeaders (x-request-id, nosniff, no-referrer)
//   hold       shared/next-tick-shape.ts's hold (createTessera makes it)
//   tessera    Tessera as the bench starts it (lib/harness.mjs startTessera), no background tasks;
//   tessera-bg with them. `all` is every piece but those two.
//   pg         with tessera or tessera-bg: on PostgreSQL (127.0.0.1:5432, a schema of its own) instead of SQLite
//   world      with tessera or tessera-bg: the introspection world (lib/introspection-world.mjs), the
//              config cache on as with the background tasks, so `requests` holds its introspect and
//              session requests (bench/tools/callgrind-pipeline.mjs --route=)
// argv[3]: a dist folder (the workspace's by default). Writes { port, requests } as JSON to the file
// named by PORT_FILE, or sends it over IPC when forked.
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const ALL = 'logger,lazylog,reqid,opts,ctp,errors,metrics,csrf,cors,cookie,ratelimit,headers,hold'
const pieces = new Set((process.argv[2] === 'all' ? ALL : (process.argv[2] ?? '')).split(',').filter(Boolean))
const dist = resolve(process.argv[3] ?? new URL('../../packages/server/dist', import.meta.url).pathname)
const server = createRequire(resolve(dist, '../package.json'))
const from = (path) => import(pathToFileURL(resolve(dist, path)).href)

async function tessera(background) {
  const { startTessera } = await import('../lib/harness.mjs')
  const started = await startTessera({ dist, background, ...(pieces.has('pg') ? { database: 'postgres' } : {}) })
  const port = Number(new URL(started.address).port)
  if (!pieces.has('world')) return { port, requests: {} }
  const { introspectionWorld } = await import('../lib/introspection-world.mjs')
  started.tessera.services.configCache.enable()
  return { port, requests: await introspectionWorld(started.tessera, started.address) }
}

async function bareWithPieces() {
  const { default: Fastify, LogController } = server('fastify')
  if (pieces.has('hold')) (await from('shared/next-tick-shape.js')).holdNextTickShape()
  const options = { logger: false }
  if (pieces.has('logger')) {
    delete options.logger
    options.loggerInstance = (await from('app/logger.js')).createLogger({ logLevel: 'silent' })
    options.logController = new LogController({ requestIdLogLabel: 'requestId' })
  }
  if (pieces.has('lazylog')) options.childLoggerFactory = (await from('http/lazy-request-logger.js')).lazyRequestLogger
  if (pieces.has('reqid')) Object.assign(options, { genReqId: (await from('http/request-id.js')).requestIdOf, requestIdHeader: false })
  if (pieces.has('opts')) {
    const compilers = (await from('http/lazy-schema-compilers.js')).lazySchemaCompilers()
    Object.assign(options, {
      trustProxy: false,
      bodyLimit: 1_048_576,
      onProtoPoisoning: 'error',
      onConstructorPoisoning: 'error',
      frameworkErrors: (_error, _request, reply) => reply.code(400).send({}),
      ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: false, allErrors: false } },
      schemaController: { compilersFactory: { buildValidator: compilers.buildValidator, buildSerializer: compilers.buildSerializer } },
    })
  }
  const app = Fastify(options)
  if (pieces.has('ctp')) {
    app.removeContentTypeParser('text/plain')
    ;(await from('http/empty-body.js')).acceptEmptyBodies(app)
  }
  if (pieces.has('errors'))
    (await from('http/error-handler.js')).installErrorHandling(app, { expectedFailure: () => {}, observe: () => {} })
  if (pieces.has('metrics')) {
    const metrics = (await from('metrics/prometheus-metrics.js')).createPrometheusMetrics({})
    ;(await from('metrics/http-metrics.js')).installHttpMetrics(app, metrics)
  }
  if (pieces.has('csrf')) {
    const { CSRF_EXEMPTIONS } = await from('app/csrf-exemptions.js')
    const policy = { trustedOrigins: new Set(), sessionCookie: 'tessera_session', exemptions: CSRF_EXEMPTIONS }
    ;(await from('http/csrf.js')).installCsrfPolicy(app, policy)
  }
  if (pieces.has('cors')) {
    const none = async () => null
    const deps = {
      issuerOrigin: 'http://127.0.0.1',
      findApplication: none,
      isOriginOfAnyApplication: async () => false,
      clientOfAccessToken: none,
    }
    ;(await from('cors/cors-hooks.js')).installCors(app, deps)
  }
  if (pieces.has('cookie')) await app.register(server('@fastify/cookie'))
  if (pieces.has('ratelimit')) {
    await app.register(server('@fastify/rate-limit'), { global: false })
    app.decorateRequest('auth', null)
  }
  if (pieces.has('headers')) app.addHook('onSend', (await from('app/global-hooks.js')).addResponseHeaders)
  app.get('/healthz', async () => ({ status: 'ok' }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  return { port: app.server.address().port, requests: {} }
}

const ready = pieces.has('tessera') || pieces.has('tessera-bg') ? await tessera(pieces.has('tessera-bg')) : await bareWithPieces()
if (process.env.PORT_FILE) writeFileSync(process.env.PORT_FILE, JSON.stringify(ready))
if (process.send) {
  process.send(ready)
  process.on('disconnect', () => process.exit(0))
}
