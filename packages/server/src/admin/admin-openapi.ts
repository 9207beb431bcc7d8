import type { RouteOptions } from 'fastify'
import { ADMIN_API_IDENTIFIER, ADMIN_WRITE } from './admin-api.js'

/** The slice of an OpenAPI 3.1 document Tessera writes. */
export interface OpenApiDocument {
  openapi: '3.1.0'
  info: { title: string; version: string; description: string }
  paths: Record<string, Record<string, OpenApiOperation>>
  components: { securitySchemes: Record<string, unknown> }
}

export interface OpenApiOperation {
  operationId: string
  summary: string
  tags: string[]
  'x-permission': string
  security: Record<string, string[]>[]
  parameters?: { name: string; in: 'path' | 'query'; required: boolean; schema: unknown; description?: string }[]
  requestBody?: { required: true; content: { 'application/json': { schema: unknown } } }
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>
}

type Schema = { properties?: Record<string, Schema & { description?: string }>; required?: string[] }

const STATUS_TEXT: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  400: 'Invalid request: wrong types, unknown fields, bad cursor (problem details)',
  401: 'No token, or a token that is not an active admin token (WWW-Authenticate: Bearer)',
  403: 'The token lacks the permission (insufficient_scope)',
  404: 'No such object, or an object of another owner',
  409: 'Conflict: taken, or a built-in object',
}

/**
 * OpenAPI 3.1 from the route schemas, collected as routes are registered (an onRoute hook).
 * A generator of our own rather than @fastify/swagger: that plugin documents every route of the
 * app, while this document covers only the admin prefix and carries each route's permission;
 * TypeBox schemas are JSON Schema, which OpenAPI 3.1 takes as is, so the generator stays small.
 */
export function createOpenApiCollector(version: string) {
  const operations: { method: string; url: string; route: RouteOptions }[] = []
  return {
    onRoute(route: RouteOptions): void {
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      for (const method of methods) {
        if (method === 'HEAD' || route.url.endsWith('*')) continue // HEAD mirrors GET; the not-found catch-all is no route
        operations.push({ method: method.toLowerCase(), url: route.url, route })
      }
    },

    document(): OpenApiDocument {
      const paths: OpenApiDocument['paths'] = {}
      const sorted = [...operations].sort((a, b) => a.url.localeCompare(b.url) || order(a.method) - order(b.method))
      for (const { method, url, route } of sorted) {
        const path = url.replace(/:([A-Za-z]+)/g, '{$1}')
        paths[path] ??= {}
        ;(paths[path] as Record<string, OpenApiOperation>)[method] = operation(method, path, route)
      }
      return {
        openapi: '3.1.0',
        info: {
          title: 'Tessera admin API',
          version,
          description: `Manage Tessera over HTTP. Every route needs a bearer access token for the API ${ADMIN_API_IDENTIFIER} holding the route's permission (x-permission). See docs/admin-api.md.`,
        },
        paths,
        components: {
          securitySchemes: {
            adminToken: {
              type: 'http',
              scheme: 'bearer',
              description: `An access token for ${ADMIN_API_IDENTIFIER}, from the client credentials grant at /oauth/token.`,
            },
          },
        },
      }
    },
  }
}

function order(method: string): number {
  return ['get', 'post', 'put', 'patch', 'delete'].indexOf(method)
}

function operation(method: string, path: string, route: RouteOptions): OpenApiOperation {
  const schema = (route.schema ?? {}) as { params?: Schema; querystring?: Schema; body?: unknown; response?: Record<string, unknown> }
  const meta = route.schema as { summary?: string; tags?: string[] } | undefined
  const permission = (route.config as { permission?: string } | undefined)?.permission ?? ADMIN_WRITE
  const parameters = [...parametersOf(schema.params, 'path'), ...parametersOf(schema.querystring, 'query')]
  const responses: OpenApiOperation['responses'] = {}
  for (const [status, body] of Object.entries(schema.response ?? { 200: {} })) {
    const type = Number(status) >= 400 ? 'application/problem+json' : 'application/json'
    responses[status] = {
      description: STATUS_TEXT[status] ?? 'Response',
      ...(status === '204' ? {} : { content: { [type]: { schema: plain(body) } } }),
    }
  }
  return {
    operationId: `${method}${path.replace(/\{([A-Za-z]+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, next: string | undefined) => (next ?? '').toUpperCase())}`,
    summary: meta?.summary ?? '',
    tags: meta?.tags ?? [],
    'x-permission': permission,
    security: [{ adminToken: [permission] }],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: plain(schema.body) } } } } : {}),
    responses,
  }
}

function parametersOf(schema: Schema | undefined, where: 'path' | 'query') {
  return Object.entries(schema?.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (schema?.required ?? []).includes(name),
    schema: plain(property),
    ...(property.description ? { description: property.description } : {}),
  }))
}

/** A TypeBox schema as plain JSON (TypeBox marks its schemas with symbol keys). */
function plain(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema ?? {}))
}
