import { CONSOLE_PATH } from '../../console/console-client.js'
import { requireString } from '../cli-args.js'
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

export const adminGrantCommand: Command = {
  spec: {
    name: 'admin grant',
    summary: 'Give a user the built-in tessera-admin role (or tessera-admin-read with --read-only), to sign in to the admin console.',
    usage: 'admin grant --user EMAIL|ID [--read-only] [--json]',
    options: {
      user: { type: 'string', description: "the user's email address or id" },
      'read-only': { type: 'boolean', description: 'give tessera-admin-read (admin:read only) instead' },
    },
  },
  async run(context) {
    const who = requireString(context.args, 'user')
    const readOnly = context.args.values['read-only'] === true
    const { user, role, console } = await withTessera(context, async (tessera) => {
      const user = await tessera.services.users.get(who)
      const { role } = await tessera.services.adminBootstrap.grantToUser(user.id, { readOnly }, { kind: 'cli' })
      return { user, role, console: `${tessera.config.issuer.replace(/\/+$/, '')}${CONSOLE_PATH}/` }
    })
    context.output(
      { userId: user.id, email: user.email, role, console },
      `${user.email} holds role ${role}. Sign in to the admin console at ${console}`,
    )
    return 0
  },
}
