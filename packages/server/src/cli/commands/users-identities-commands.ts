import type { Command } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString())

export const usersIdentitiesListCommand: Command = {
  spec: {
    name: 'users identities list',
    summary: "List a user's linked upstream identities (connection, upstream subject, address).",
    usage: 'users identities list <id|email> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const identities = await withTessera(context, async (tessera) => {
      const user = await tessera.services.users.get(context.args.positionals[0] as string)
      return (await tessera.connections.identitiesOf(user.id)).map((identity) => ({
        id: identity.id,
        connectionId: identity.connectionId,
        connectionName: identity.connectionName,
        subject: identity.subject,
        email: identity.email,
        createdAt: new Date(identity.createdAt).toISOString(),
        lastUsedAt: iso(identity.lastUsedAt),
      }))
    })
    const lines = identities.map(
      (identity) => `${identity.id}  ${identity.connectionName} (${identity.connectionId})  ${identity.subject}  ${identity.email ?? '-'}`,
    )
    context.output({ identities }, identities.length === 0 ? 'No linked identities.' : lines.join('\n'))
    return 0
  },
}

export const usersIdentitiesUnlinkCommand: Command = {
  spec: {
    name: 'users identities unlink',
    summary: 'Unlink one upstream identity of a user (audited as identity.unlinked); --force also removes the last way to sign in.',
    usage: 'users identities unlink <id|email> <identityId> [--force] [--json]',
    options: {
      force: { type: 'boolean', description: 'remove it even if the user then has no password and no other identity to sign in with' },
    },
    positionals: 2,
  },
  async run(context) {
    const [who, identityId] = context.args.positionals as [string, string]
    const user = await withTessera(context, async (tessera) => {
      const found = await tessera.services.users.get(who)
      await tessera.connections.federation.unlink(found.id, identityId, CLI, null, { force: context.args.values.force === true })
      return found
    })
    context.output({ user: user.id, unlinked: identityId }, `Unlinked ${identityId} from ${user.email}.`)
    return 0
  },
}
