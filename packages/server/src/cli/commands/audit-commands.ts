import { presentAuditEntry } from '../../audit/audit-service.js'
import { optionalInteger } from '../cli-args.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

/** A thin client of the audit service: filters and pagination are checked there. */
export const auditListCommand: Command = {
  spec: {
    name: 'audit list',
    summary: 'List audit-log entries, newest first: who did what, to whom, when and from where.',
    usage: 'audit list [--user ID|EMAIL] [--action TYPE] [--actor-kind K] [--actor ID] [--limit N] [--cursor C] [--json]',
    options: {
      user: { type: 'string', description: 'only entries about this user (id or email)' },
      action: { type: 'string', description: 'only this event type, e.g. sign_in.failed' },
      'actor-kind': { type: 'string', description: 'only actors of this kind: user, application, cli, system, anonymous' },
      actor: { type: 'string', description: 'only this actor id (a user id or client id)' },
      limit: { type: 'string', description: 'page size, 1 to 200 (default 50)' },
      cursor: { type: 'string', description: 'continue after the previous page (its "nextCursor")' },
    },
  },
  async run(context) {
    const { values } = context.args
    const limit = optionalInteger(context.args, 'limit', 50, 200)
    const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined)
    const page = await withTessera(context, async (tessera) => {
      const user = text('user')
      const userId = user === undefined ? undefined : (await tessera.services.users.get(user)).id
      const actorKind = text('actor-kind')
      return tessera.services.audit.list({
        limit,
        ...(userId !== undefined ? { userId } : {}),
        ...(text('action') !== undefined ? { action: text('action') as string } : {}),
        ...(actorKind !== undefined ? { actorKind: actorKind as 'user' } : {}),
        ...(text('actor') !== undefined ? { actorId: text('actor') as string } : {}),
        ...(text('cursor') !== undefined ? { cursor: text('cursor') as string } : {}),
      })
    })
    const entries = page.entries.map(presentAuditEntry)
    const lines = entries.map((entry) => {
      const actor = entry.actor.id ? `${entry.actor.kind}:${entry.actor.id}` : entry.actor.kind
      const target = entry.target ? `${entry.target.type}:${entry.target.id}` : '-'
      return `${entry.occurredAt}  ${entry.action.padEnd(26)}  ${actor}  ${target}  ${entry.ip ?? '-'}`
    })
    const human =
      entries.length === 0 ? 'No entries.' : `${lines.join('\n')}${page.nextCursor ? `\nmore: --cursor ${page.nextCursor}` : ''}`
    context.output({ entries, nextCursor: page.nextCursor }, human)
    return 0
  },
}
