import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { presentApplication } from '../applications/application.js'
import type { ApplicationService } from '../applications/application-service.js'
import { ADMIN_READ, ADMIN_WRITE } from './admin-api.js'
import {
  ApplicationBody,
  ApplicationChangesBody,
  ApplicationList,
  ApplicationParams,
  CreatedApplication,
  NewApplicationBody,
  RotatedSecret,
} from './admin-applications-schemas.js'
import { adminCaller } from './admin-auth-hook.js'
import { PageQuery, pageOf } from './admin-page.js'
import { NoContent, responses } from './admin-schemas.js'

const read = { permission: ADMIN_READ } as const
const write = { permission: ADMIN_WRITE } as const
const tags = ['applications']

/** Applications (OAuth clients): register, list, read, change, rotate the secret, delete. */
export function adminApplicationsRoutes(deps: { applications: ApplicationService }): FastifyPluginAsyncTypebox {
  const { applications } = deps
  return async (app) => {
    app.get(
      '/applications',
      {
        config: read,
        schema: {
          tags,
          summary: 'List applications, ordered by client_id',
          querystring: PageQuery,
          response: responses({ 200: ApplicationList }),
        },
      },
      async (request) => {
        const page = pageOf(await applications.list(), (application) => application.id, request.query, {
          kind: 'applications',
          key: /^[A-Za-z0-9_-]{16,64}$/,
        })
        return { applications: page.items.map(presentApplication), nextCursor: page.nextCursor }
      },
    )

    app.post(
      '/applications',
      {
        config: write,
        schema: {
          tags,
          summary: 'Register an application; the secret of a confidential one is returned once',
          body: NewApplicationBody,
          response: responses({ 201: CreatedApplication }, [404]),
        },
      },
      async (request, reply) => {
        const { application, clientSecret } = await applications.create(request.body, adminCaller(request).actor)
        return reply
          .code(201)
          .send({ clientId: application.id, ...(clientSecret ? { clientSecret } : {}), application: presentApplication(application) })
      },
    )

    app.get(
      '/applications/:clientId',
      {
        config: read,
        schema: { tags, summary: 'Get an application', params: ApplicationParams, response: responses({ 200: ApplicationBody }, [404]) },
      },
      async (request) => ({ application: presentApplication(await applications.get(request.params.clientId)) }),
    )

    app.patch(
      '/applications/:clientId',
      {
        config: write,
        schema: {
          tags,
          summary: "Change an application's settings (not its type)",
          params: ApplicationParams,
          body: ApplicationChangesBody,
          response: responses({ 200: ApplicationBody }, [404]),
        },
      },
      async (request) => ({
        application: presentApplication(await applications.update(request.params.clientId, request.body, adminCaller(request).actor)),
      }),
    )

    app.post(
      '/applications/:clientId/rotate-secret',
      {
        config: write,
        schema: {
          tags,
          summary: 'Replace the secret; the old one stops working at once',
          params: ApplicationParams,
          response: responses({ 200: RotatedSecret }, [404]),
        },
      },
      async (request) => {
        const { clientId } = request.params
        return { clientId, clientSecret: await applications.rotateSecret(clientId, adminCaller(request).actor) }
      },
    )

    app.delete(
      '/applications/:clientId',
      {
        config: write,
        schema: {
          tags,
          summary: 'Delete an application; its refresh tokens die and its access tokens stop being active',
          params: ApplicationParams,
          response: responses({ 204: NoContent }, [404]),
        },
      },
      async (request, reply) => {
        await applications.delete(request.params.clientId, adminCaller(request).actor)
        return reply.code(204).send()
      },
    )
  }
}
