import { presentSession } from '../../sessions/session.js'
import { requireString, UsageError } from '../cli-args.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const

export const sessionsListCommand: Command = {
  spec: {
    name: 'sessions list',
    summary: "List a user's live sessions (devices).",
    usage: 'sessions list --user <id|email> [--json]',
    options: { user: { type: 'string', description: 'the user, by id or email' } },
  },
  async run(context) {
    const who = requireString(context.args, 'user')
    const { sessions, policy } = await withTessera(context, async (tessera) => {
      const user = await tessera.services.users.get(who)
      return { sessions: await tessera.services.sessions.listLive(user.id), policy: tessera.services.sessions.policy }
    })
    const shown = sessions.map((session) => presentSession(session, policy))
    const human =
      shown.length === 0
        ? 'No live sessions.'
        : shown.map((s) => `${s.id}  since ${s.createdAt}  last ${s.lastActiveAt}  ${s.ip ?? '-'}  ${s.userAgent ?? '-'}`).join('\n')
    context.output({ sessions: shown }, human)
    return 0
  },
}

export const sessionsRevokeCommand: Command = {
  spec: {
    name: 'sessions revoke',
    summary: "Revoke one session by id, or every session of a user with --user and --all (which also kills all of the user's tokens).",
    usage: 'sessions revoke <session-id> | sessions revoke --user <id|email> --all [--json]',
    options: {
      user: { type: 'string', description: 'the user whose sessions to revoke (with --all)' },
      all: { type: 'boolean', description: 'revoke every session of --user' },
    },
    positionals: [0, 1],
  },
  async run(context) {
    const { args } = context
    const misuse = 'give one session id, or --user with --all'
    if (args.values.all === true) {
      // An id beside --all is ambiguous; refuse it rather than revoke more than was named.
      if (args.positionals.length > 0) throw new UsageError(misuse)
      const who = requireString(args, 'user')
      const revoked = await withTessera(context, async (tessera) => {
        const user = await tessera.services.users.get(who)
        return tessera.services.sessions.revokeAll(user.id, { reason: 'operator', actor: CLI })
      })
      context.output({ revoked }, `Revoked ${revoked.length} session(s).`)
      return 0
    }
    const id = args.positionals[0]
    if (args.positionals.length !== 1 || id === undefined || args.values.user !== undefined) {
      throw new UsageError(misuse)
    }
    await withTessera(context, (tessera) => tessera.services.sessions.revoke(id, { reason: 'operator', actor: CLI }))
    context.output({ revoked: [id] }, `Revoked session ${id}.`)
    return 0
  },
}
