import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { presentApi } from '../apis/api.js'
import type { ApiService } from '../apis/api-service.js'
import { ADMIN_READ, ADMIN_WRITE } from './admin-api.js'
import {
  ApiBody,
  ApiChangesBody,
  ApiList,
  ApiParams,
  ApiPermissionParams,
  ApiWithKeyBody,
  EncryptionKeyRequestBody,
  NewApiBody,
  PermissionsBody,
} from './admin-apis-schemas.js'
import { adminCaller } from './admin-auth-hook.js'
import { PageQuery, pageOf } from './admin-page.js'
import { NoContent, responses } from './admin-schemas.js'

const read = { permission: ADMIN_READ } as const
const write = { permission: ADMIN_WRITE } as const
const tags = ['apis']

function withKey(api: Parameters<typeof presentApi>[0], privateJwk: object | null) {
  return { api: presentApi(api), ...(privateJwk ? { privateJwk } : {}) }
}

/** APIs (resources) and the permissions they define. The built-in urn:tessera:admin is read-only (409). */
export function adminApisRoutes(deps: { apis: ApiService }): FastifyPluginAsyncTypebox {
  const { apis } = deps
  return async (app) => {
    app.get(
      '/apis',
      {
        config: read,
        schema: { tags, summary: 'List APIs, ordered by id', querystring: PageQuery, response: responses({ 200: ApiList }) },
      },
      async (request) => {
        const page = pageOf(await apis.list(), (api) => api.id, request.query, { kind: 'apis', key: /^api_[A-Za-z0-9_-]{1,64}$/ })
        return { apis: page.items.map(presentApi), nextCursor: page.nextCursor }
      },
    )

    app.post(
      '/apis',
      {
        config: write,
        schema: {
          tags,
          summary: 'Register an API (with `encryption`, its access tokens are encrypted; a generated private key is returned once)',
          body: NewApiBody,
          response: responses({ 201: ApiWithKeyBody }, [409]),
        },
      },
      async (request, reply) => {
        const { api, privateJwk } = await apis.register({ scopes: [], ...request.body }, adminCaller(request).actor)
        return reply.code(201).send(withKey(api, privateJwk))
      },
    )

    app.put(
      '/apis/:apiId/encryption-key',
      {
        config: write,
        schema: {
          tags,
          summary: "Set or rotate the key an API's access tokens are encrypted to (a generated private key is returned once)",
          params: ApiParams,
          body: EncryptionKeyRequestBody,
          response: responses({ 200: ApiWithKeyBody }, [404, 409]),
        },
      },
      async (request) => {
        const { api, privateJwk } = await apis.setEncryptionKey(request.params.apiId, request.body, adminCaller(request).actor)
        return withKey(api, privateJwk)
      },
    )

    app.delete(
      '/apis/:apiId/encryption-key',
      {
        config: write,
        schema: {
          tags,
          summary: "Stop encrypting an API's access tokens (they are signed only again)",
          params: ApiParams,
          response: responses({ 200: ApiBody }, [404, 409]),
        },
      },
      async (request) => ({ api: presentApi((await apis.setEncryptionKey(request.params.apiId, null, adminCaller(request).actor)).api) }),
    )

    app.get(
      '/apis/:apiId',
      { config: read, schema: { tags, summary: 'Get an API', params: ApiParams, response: responses({ 200: ApiBody }, [404]) } },
      async (request) => ({ api: presentApi(await apis.getById(request.params.apiId)) }),
    )

    app.patch(
      '/apis/:apiId',
      {
        config: write,
        schema: {
          tags,
          summary: "Change an API's name, mode, token lifetime or roles claim (its identifier never changes)",
          params: ApiParams,
          body: ApiChangesBody,
          response: responses({ 200: ApiBody }, [404, 409]),
        },
      },
      async (request) => ({ api: presentApi(await apis.update(request.params.apiId, request.body, adminCaller(request).actor)) }),
    )

    app.delete(
      '/apis/:apiId',
      { config: write, schema: { tags, summary: 'Delete an API', params: ApiParams, response: responses({ 204: NoContent }, [404, 409]) } },
      async (request, reply) => {
        const api = await apis.getById(request.params.apiId)
        await apis.delete(api.identifier, adminCaller(request).actor)
        return reply.code(204).send()
      },
    )

    app.post(
      '/apis/:apiId/permissions',
      {
        config: write,
        schema: {
          tags,
          summary: 'Add permissions (scopes) to an API',
          params: ApiParams,
          body: PermissionsBody,
          response: responses({ 200: ApiBody }, [404, 409]),
        },
      },
      async (request) => ({
        api: presentApi(await apis.addPermissions(request.params.apiId, request.body.permissions, adminCaller(request).actor)),
      }),
    )

    app.delete(
      '/apis/:apiId/permissions/:permission',
      {
        config: write,
        schema: {
          tags,
          summary: 'Remove a permission from an API',
          params: ApiPermissionParams,
          response: responses({ 200: ApiBody }, [404, 409]),
        },
      },
      async (request) => ({
        api: presentApi(await apis.removePermission(request.params.apiId, request.params.permission, adminCaller(request).actor)),
      }),
    )
  }
}
