import type { FastifyInstance, FastifyReply } from 'fastify'
import { TesseraError } from '../shared/errors.js'
import { contentSecurityPolicy } from '../ui/html.js'
import type { ConsoleAsset, ConsoleAssets } from './console-assets.js'
import { CONSOLE_PATH } from './console-client.js'

export interface ConsoleRoutesDeps {
  /** The built console, or null when it was not built (then /console says so). */
  assets: ConsoleAssets | null
}

/**
 * The hosted pages' policy, extended for a script-driven page: scripts and fetches from our own
 * origin only, so no inline script, no eval, no CDN (CSP Level 3 §6.1.1 script-src; 'unsafe-inline'
 * and 'unsafe-eval' are never given). Nothing else is loosened: default-src 'none', no framing,
 * no <base>, forms post only to us.
 */
export function consoleContentSecurityPolicy(): string {
  return `${contentSecurityPolicy()}; script-src 'self'; connect-src 'self'`
}

/** Serves the admin console, a single-page app, at /console/ from Tessera's own origin. */
export function consoleRoutes(deps: ConsoleRoutesDeps) {
  return async function routes(app: FastifyInstance): Promise<void> {
    app.get(CONSOLE_PATH, async (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 308))
    app.get<{ Params: { '*': string } }>(`${CONSOLE_PATH}/*`, async (request, reply) => {
      const { assets } = deps
      if (!assets) throw new TesseraError('not_found', { detail: 'The admin console is not built: run npm run build.' })
      const path = request.params['*']
      const file = assets.files.get(path)
      if (file) return send(reply, file)
      // A missing asset is a 404, not the page: a stale tab must not run HTML as a script.
      if (path.startsWith('assets/') || path.includes('.')) throw new TesseraError('not_found')
      return send(reply, assets.index)
    })
  }
}

function send(reply: FastifyReply, file: ConsoleAsset): FastifyReply {
  return reply
    .header('content-security-policy', consoleContentSecurityPolicy())
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-store')
    .type(file.contentType)
    .send(file.body)
}
