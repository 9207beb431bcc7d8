import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { ADMIN_READ } from './admin-api.js'
import { responses } from './admin-schemas.js'

/** What GET /settings shows: versions, the store in use, and the effective configuration with its secrets masked. */
export interface SettingsView {
  version: string
  node: string
  database: 'sqlite' | 'postgres'
  redis: boolean
  /** config/public-settings.ts: every secret masked, every URL without credentials. */
  settings: Record<string, unknown>
}

const SettingsBody = Type.Object({
  version: Type.String({ description: "Tessera's version (the server package's)." }),
  node: Type.String({ description: 'The Node.js version running it.' }),
  database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')]),
  redis: Type.Boolean({ description: 'Whether Redis is configured (signals, rate-limit counters).' }),
  settings: Type.Object(
    {},
    {
      additionalProperties: true,
      description:
        'The effective configuration (docs/configuration.md): secrets read "********" when set and "" when not; URLs lose their credentials.',
    },
  ),
})

/** The effective, non-secret configuration, read-only (the console's Settings page). */
export function adminSettingsRoutes(deps: { settings: () => SettingsView }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/settings',
      {
        config: { permission: ADMIN_READ } as const,
        schema: {
          tags: ['settings'],
          summary: 'The effective configuration, secrets masked, and the versions running',
          response: responses({ 200: SettingsBody }),
        },
      },
      async () => deps.settings(),
    )
  }
}
