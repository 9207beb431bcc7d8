import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { ConnectionService } from '../connections/connection-service.js'
import { PRESETS } from '../connections/presets.js'
import { ADMIN_READ, ADMIN_WRITE } from './admin-api.js'
import { adminCaller } from './admin-auth-hook.js'
import { closed, NoContent, responses, Timestamp } from './admin-schemas.js'

const ConnectionId = Type.String({ pattern: '^con_[A-Za-z0-9_-]{22}$', description: 'A connection id (con_…).' })
const Url = Type.String({ minLength: 1, maxLength: 2048 })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])
const Mapping = closed(
  {
    subject: Type.String({ minLength: 1, maxLength: 100 }),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    emailVerified: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  'Dotted paths into the user endpoint answer (OAuth 2.0 connections).',
)
const Scopes = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50 })
const Applications = Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 200 }))
const Hosts = Type.Array(Type.String({ minLength: 1, maxLength: 260 }), { maxItems: 20 })

const ConnectionView = Type.Object({
  id: Type.String(),
  type: Type.String(),
  preset: Nullable(Type.String()),
  name: Type.String(),
  iconUrl: Nullable(Type.String()),
  issuer: Nullable(Type.String()),
  authorizationEndpoint: Nullable(Type.String()),
  tokenEndpoint: Nullable(Type.String()),
  userinfoEndpoint: Nullable(Type.String()),
  emailsEndpoint: Nullable(Type.String()),
  userMapping: Type.Object({}, { additionalProperties: true }),
  clientId: Type.String(),
  hasClientSecret: Type.Boolean({ description: 'The secret itself is write-only.' }),
  clientAuthentication: Type.Union([Type.Literal('private_key_jwt'), Type.Literal('client_secret'), Type.Literal('none')], {
    description: "How Tessera authenticates at the upstream's token endpoint.",
  }),
  jwksUri: Nullable(
    Type.String({ description: 'private_key_jwt: where the public key is published, to register at the upstream (or its JWKS).' }),
  ),
  scopes: Type.Array(Type.String()),
  applications: Nullable(Type.Array(Type.String())),
  allowSignUp: Type.Boolean(),
  allowedHosts: Type.Array(Type.String()),
  allowInsecureDevelopment: Type.Boolean(),
  enabled: Type.Boolean(),
  redirectUri: Type.String({ description: 'The callback to register at the upstream provider.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
const ConnectionBody = Type.Object({ connection: ConnectionView })
const Params = closed({ connectionId: ConnectionId })
const NewConnectionBody = closed({
  type: Type.Optional(Type.Union([Type.Literal('oidc'), Type.Literal('oauth2')])),
  preset: Type.Optional(Type.Union(PRESETS.map((preset) => Type.Literal(preset)))),
  tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Microsoft: the directory (tenant) id or domain.' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Shown as "Continue with {name}".' })),
  iconUrl: Type.Optional(Nullable(Url)),
  issuer: Type.Optional(Url),
  authorizationEndpoint: Type.Optional(Url),
  tokenEndpoint: Type.Optional(Url),
  userinfoEndpoint: Type.Optional(Url),
  emailsEndpoint: Type.Optional(Url),
  userMapping: Type.Optional(Mapping),
  clientId: Type.String({ minLength: 1, maxLength: 255 }),
  clientSecret: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'Write-only: sealed at rest, never returned.' })),
  scopes: Type.Optional(Scopes),
  applications: Type.Optional(Applications),
  allowSignUp: Type.Optional(Type.Boolean({ description: 'Whether a first sign-in may create an account (default true).' })),
  allowedHosts: Type.Optional(Hosts),
  allowInsecureDevelopment: Type.Optional(
    Type.Boolean({ description: 'http and private addresses, for development; refused in production.' }),
  ),
  enabled: Type.Optional(Type.Boolean()),
})
const ChangesBody = closed({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  iconUrl: Type.Optional(Nullable(Url)),
  clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  clientSecret: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  scopes: Type.Optional(Scopes),
  applications: Type.Optional(Applications),
  allowSignUp: Type.Optional(Type.Boolean()),
  allowedHosts: Type.Optional(Hosts),
  enabled: Type.Optional(Type.Boolean()),
})
const read = { permission: ADMIN_READ } as const
const write = { permission: ADMIN_WRITE } as const
const tags = ['connections']

/** Upstream identity providers (issue 15), over the same service as `tessera connections`. Secrets are write-only. */
export function adminConnectionsRoutes(deps: { connections: ConnectionService }): FastifyPluginAsyncTypebox {
  const { connections } = deps
  return async (app) => {
    app.get(
      '/connections',
      {
        config: read,
        schema: {
          tags,
          summary: 'List connections',
          response: responses({ 200: Type.Object({ connections: Type.Array(ConnectionView) }) }),
        },
      },
      async () => ({ connections: (await connections.list()).map(connections.present) }),
    )

    app.post(
      '/connections',
      {
        config: write,
        schema: {
          tags,
          summary: 'Add an upstream identity provider',
          body: NewConnectionBody,
          response: responses({ 201: ConnectionBody }),
        },
      },
      async (request, reply) => {
        const connection = await connections.create(request.body, adminCaller(request).actor)
        return reply.code(201).send({ connection: connections.present(connection) })
      },
    )

    app.get(
      '/connections/:connectionId',
      { config: read, schema: { tags, summary: 'Get a connection', params: Params, response: responses({ 200: ConnectionBody }, [404]) } },
      async (request) => ({ connection: connections.present(await connections.get(request.params.connectionId)) }),
    )

    app.patch(
      '/connections/:connectionId',
      {
        config: write,
        schema: {
          tags,
          summary: 'Change a connection',
          params: Params,
          body: ChangesBody,
          response: responses({ 200: ConnectionBody }, [404]),
        },
      },
      async (request) => {
        const connection = await connections.update(request.params.connectionId, request.body, adminCaller(request).actor)
        return { connection: connections.present(connection) }
      },
    )

    app.delete(
      '/connections/:connectionId',
      {
        config: write,
        schema: {
          tags,
          summary: 'Delete a connection and the identities linked through it',
          params: Params,
          response: responses({ 204: NoContent }, [404]),
        },
      },
      async (request, reply) => {
        await connections.delete(request.params.connectionId, adminCaller(request).actor)
        return reply.code(204).send()
      },
    )

    app.post(
      '/connections/:connectionId/key',
      {
        config: write,
        schema: {
          tags,
          summary:
            'Give a connection a new private key for private_key_jwt (RFC 7523) in place of its client secret or former key; answers the public JWK to register at the upstream',
          params: Params,
          response: responses(
            {
              200: Type.Object({
                connection: ConnectionView,
                jwk: Type.Object({}, { additionalProperties: true, description: 'The public key (never the private part).' }),
              }),
            },
            [404],
          ),
        },
      },
      async (request) => {
        const { connection, publicJwk } = await connections.generateKey(request.params.connectionId, adminCaller(request).actor)
        return { connection: connections.present(connection), jwk: publicJwk }
      },
    )
  }
}
