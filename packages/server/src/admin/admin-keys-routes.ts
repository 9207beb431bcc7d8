import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import type { KeyService } from '../keys/key-service.js'
import { presentKey } from '../keys/signing-key-view.js'
import { ADMIN_READ, ADMIN_WRITE } from './admin-api.js'
import { adminCaller } from './admin-auth-hook.js'
import { closed, Kid, responses, Timestamp } from './admin-schemas.js'

const Nullable = Type.Union([Timestamp, Type.Null()])
const KeyView = Type.Object({
  kid: Type.String(),
  alg: Type.String(),
  state: Type.String({ description: 'next, active, retired, removed or revoked' }),
  createdAt: Nullable,
  activatesAt: Nullable,
  retiredAt: Nullable,
  removeAfter: Nullable,
  revokedAt: Nullable,
})
const KeyBody = Type.Object({ key: KeyView })
const RotateBody = closed({
  immediate: Type.Optional(Type.Boolean({ description: 'Sign with the new key at once instead of after the pre-publication window.' })),
})
const write = { permission: ADMIN_WRITE } as const
const tags = ['keys']

/** Signing keys: list, rotate, revoke. Private keys never leave the server. */
export function adminKeysRoutes(deps: { keys: KeyService }): FastifyPluginAsyncTypebox {
  const { keys } = deps
  return async (app) => {
    app.get(
      '/keys',
      {
        config: { permission: ADMIN_READ } as const,
        schema: {
          tags,
          summary: 'List signing keys and their states',
          response: responses({ 200: Type.Object({ keys: Type.Array(KeyView) }) }),
        },
      },
      async () => ({ keys: (await keys.list()).map(presentKey) }),
    )

    app.post(
      '/keys/rotate',
      {
        config: write,
        schema: {
          tags,
          summary: 'Publish a new signing key (it signs after the pre-publication window, or at once)',
          body: RotateBody,
          response: responses({ 201: KeyBody }),
        },
      },
      async (request, reply) => {
        const key = await keys.rotate({ immediate: request.body.immediate === true, actor: adminCaller(request).actor })
        return reply.code(201).send({ key: presentKey(key) })
      },
    )

    app.post(
      '/keys/:kid/revoke',
      {
        config: write,
        schema: {
          tags,
          summary: 'Revoke a key: unpublished at once, every token it signed dies',
          params: closed({ kid: Kid }),
          response: responses({ 200: KeyBody }, [404]),
        },
      },
      async (request) => ({ key: presentKey(await keys.revoke(request.params.kid, adminCaller(request).actor)) }),
    )
  }
}
