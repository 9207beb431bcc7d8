import type { FastifyInstance } from 'fastify'
import { SCRIPT_PATHS, type ScriptAssets } from './script-assets.js'

/** Serves the hosted pages' scripts from this origin (script-src 'self'), cached for an hour like the stylesheet. */
export function scriptRoutes(assets: ScriptAssets) {
  return async (app: FastifyInstance) => {
    for (const name of ['webauthn', 'passkeys'] as const) {
      app.get(SCRIPT_PATHS[name], async (_request, reply) =>
        reply.header('cache-control', 'public, max-age=3600').type('text/javascript; charset=utf-8').send(assets[name]),
      )
    }
  }
}
