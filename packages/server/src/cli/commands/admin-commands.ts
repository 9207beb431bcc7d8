import type { Command } from '../command.js'
import { withTessera } from '../command.js'

export const adminBootstrapCommand: Command = {
  spec: {
    name: 'admin bootstrap',
    summary: 'Create the first admin application (client credentials for urn:tessera:admin). Runs once; the secret is printed once.',
    usage: 'admin bootstrap [--json]',
    options: {},
  },
  async run(context) {
    const result = await withTessera(context, (tessera) => tessera.services.adminBootstrap.bootstrap({ kind: 'cli' }))
    context.output(
      result,
      [
        'Created the admin application.',
        `client_id:     ${result.clientId}`,
        `client_secret: ${result.clientSecret}`,
        `audience:      ${result.audience}`,
        '(the secret is shown once: store it now)',
        'Get a token: POST /oauth/token with grant_type=client_credentials and resource=urn:tessera:admin (see docs/admin-api.md).',
      ].join('\n'),
    )
    return 0
  },
}
