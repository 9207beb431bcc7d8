import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify from 'fastify'
import type { OpenApiDocument } from './admin-openapi.js'
import { ADMIN_PREFIX, type AdminDeps, adminRoutes } from './admin-routes.js'

/**
 * The admin API's OpenAPI document without a running Tessera: the routes are registered on a
 * bare Fastify instance and never called, so their services are placeholders that throw if used.
 * `npm run docs:admin-api` renders the reference from it.
 */
export async function describeAdminApi(): Promise<OpenApiDocument> {
  const unused: unknown = new Proxy(() => undefined, {
    get: () => unused,
    apply: () => {
      throw new Error('describeAdminApi only declares routes; it cannot serve them')
    },
  })
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>()
  let document: OpenApiDocument | undefined
  await app.register(
    adminRoutes(unused as AdminDeps, (collected) => (document = collected)),
    { prefix: ADMIN_PREFIX },
  )
  await app.ready()
  await app.close()
  if (!document) throw new Error('the admin routes did not describe themselves')
  return document
}
