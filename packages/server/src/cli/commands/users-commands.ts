import { presentUser } from '../../users/user.js'
import { MAX_USER_PAGE } from '../../users/user-service.js'
import { optionalInteger, requireString, UsageError } from '../cli-args.js'
import type { Command, CommandContext } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const

export const usersCreateCommand: Command = {
  spec: {
    name: 'users create',
    summary: 'Create a user. The password is read from standard input, never from the command line.',
    usage: 'users create --email E --password-stdin [--send-verification] [--json]',
    options: {
      email: { type: 'string', description: 'email address of the new user' },
      'password-stdin': { type: 'boolean', description: 'read the password from standard input (required)' },
      'send-verification': { type: 'boolean', description: 'send the verification message (by default none is sent)' },
    },
  },
  async run(context) {
    const email = requireString(context.args, 'email')
    const password = await readPassword(context)
    const sendVerification = context.args.values['send-verification'] === true
    const user = await withTessera(context, (tessera) => tessera.services.users.create({ email, password }, CLI, { sendVerification }))
    context.output({ user: presentUser(user) }, `Created ${user.email} (${user.id})`)
    return 0
  },
}

export const usersListCommand: Command = {
  spec: {
    name: 'users list',
    summary: 'List users, ordered by id.',
    usage: 'users list [--search TEXT] [--limit N] [--after ID] [--json]',
    options: {
      search: { type: 'string', description: 'only emails containing this text' },
      limit: { type: 'string', description: 'page size, 1 to 500 (default 50)' },
      after: { type: 'string', description: 'continue after this user id (the previous page\'s "next")' },
    },
  },
  async run(context) {
    const limit = optionalInteger(context.args, 'limit', 50, MAX_USER_PAGE)
    const { search, after } = context.args.values
    const { users, next } = await withTessera(context, (tessera) =>
      tessera.services.users.list({
        limit,
        ...(typeof search === 'string' ? { search } : {}),
        ...(typeof after === 'string' ? { after } : {}),
      }),
    )
    const human = users.length === 0 ? 'No users.' : users.map((user) => `${user.id}  ${user.status.padEnd(8)}  ${user.email}`).join('\n')
    context.output({ users: users.map(presentUser), next }, human)
    return 0
  },
}

function statusCommand(action: 'disable' | 'enable'): Command {
  return {
    spec: {
      name: `users ${action}`,
      summary:
        action === 'disable'
          ? 'Disable a user: sign-in is refused, every session is revoked and every token dies.'
          : 'Enable a disabled user again.',
      usage: `users ${action} <id|email> [--json]`,
      options: {},
      positionals: 1,
    },
    async run(context) {
      const user = await withTessera(context, async (tessera) => {
        const found = await tessera.services.users.get(context.args.positionals[0] as string)
        return tessera.services.users[action](found.id, CLI)
      })
      context.output({ user: presentUser(user) }, `${user.email} is ${user.status}`)
      return 0
    },
  }
}

export const usersDisableCommand = statusCommand('disable')
export const usersEnableCommand = statusCommand('enable')

/** Passwords come from standard input only, so they stay out of argv and shell history. */
async function readPassword(context: CommandContext): Promise<string> {
  if (context.args.values['password-stdin'] !== true) {
    throw new UsageError('--password-stdin is required: pipe the password in, so it stays out of argv and shell history')
  }
  return (await context.io.readStdin()).replace(/\r?\n$/, '')
}

export const usersResetPasswordCommand: Command = {
  spec: {
    name: 'users reset-password',
    summary: "Set a user's password (read from standard input); every session of the user is revoked and their tokens die.",
    usage: 'users reset-password <id|email> --password-stdin [--json]',
    options: { 'password-stdin': { type: 'boolean', description: 'read the new password from standard input (required)' } },
    positionals: 1,
  },
  async run(context) {
    const password = await readPassword(context)
    const user = await withTessera(context, async (tessera) => {
      const found = await tessera.services.users.get(context.args.positionals[0] as string)
      return tessera.services.users.resetPassword(found.id, password, CLI)
    })
    context.output({ user: presentUser(user) }, `New password set for ${user.email}; every session was signed out.`)
    return 0
  },
}

export const usersDeleteCommand: Command = {
  spec: {
    name: 'users delete',
    summary: 'Delete a user: every session and token of theirs dies, then the account is removed.',
    usage: 'users delete <id|email> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const deleted = await withTessera(context, async (tessera) => {
      const found = await tessera.services.users.get(context.args.positionals[0] as string)
      await tessera.services.users.delete(found.id, CLI)
      return found
    })
    context.output({ deleted: deleted.id }, `Deleted ${deleted.email} (${deleted.id}).`)
    return 0
  },
}
