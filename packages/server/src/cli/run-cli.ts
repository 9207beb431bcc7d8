import { ConfigError } from '../config/config-error.js'
import { isTesseraError } from '../shared/errors.js'
import { UnreachableError } from '../shared/unreachable-error.js'
import { type CommandSpec, helpText, parseCommandArgs, UsageError } from './cli-args.js'
import type { CliIo } from './cli-io.js'
import { type Command, createContext } from './command.js'

/**
 * The commands by their first word, in the order of the overview: each group's modules load when
 * the group runs, so `tessera start` loads its own command and not the other ~18 modules of the
 * CLI (docs/architecture.md §9, "Memory").
 */
const COMMAND_GROUPS: Readonly<Record<string, () => Promise<readonly Command[]>>> = {
  start: async () => [(await import('./commands/start-command.js')).startCommand],
  migrate: async () => [(await import('./commands/migrate-command.js')).migrateCommand],
  backup: async () => [(await import('./commands/backup-commands.js')).backupCommand],
  restore: async () => [(await import('./commands/backup-commands.js')).restoreCommand],
  admin: async () => {
    const { adminBootstrapCommand, adminGrantCommand } = await import('./commands/admin-commands.js')
    return [adminBootstrapCommand, adminGrantCommand]
  },
  users: async () => {
    const [users, mfa, identities, email] = await Promise.all([
      import('./commands/users-commands.js'),
      import('./commands/users-mfa-commands.js'),
      import('./commands/users-identities-commands.js'),
      import('./commands/email-commands.js'),
    ])
    return [
      users.usersCreateCommand,
      users.usersListCommand,
      users.usersDisableCommand,
      users.usersEnableCommand,
      users.usersResetPasswordCommand,
      users.usersDeleteCommand,
      mfa.usersMfaListCommand,
      mfa.usersMfaResetCommand,
      identities.usersIdentitiesListCommand,
      identities.usersIdentitiesUnlinkCommand,
      email.usersVerifyEmailCommand,
      email.usersSendVerificationCommand,
      email.usersSendResetCommand,
    ]
  },
  email: async () => [(await import('./commands/email-commands.js')).emailDeliveriesCommand],
  sessions: async () => {
    const { sessionsListCommand, sessionsRevokeCommand } = await import('./commands/sessions-commands.js')
    return [sessionsListCommand, sessionsRevokeCommand]
  },
  apps: async () => {
    const apps = await import('./commands/apps-commands.js')
    return [apps.appsCreateCommand, apps.appsListCommand, apps.appsUpdateCommand, apps.appsRotateSecretCommand, apps.appsDeleteCommand]
  },
  apis: async () => {
    const apis = await import('./commands/apis-commands.js')
    return [
      apis.apisCreateCommand,
      apis.apisListCommand,
      apis.apisDeleteCommand,
      apis.apisRolesClaimCommand,
      apis.apisEncryptionKeyCommand,
      apis.apisRequireDpopCommand,
    ]
  },
  roles: async () => {
    const roles = await import('./commands/roles-commands.js')
    return [
      roles.rolesCreateCommand,
      roles.rolesListCommand,
      roles.rolesShowCommand,
      roles.rolesUpdateCommand,
      roles.rolesDeleteCommand,
      roles.rolesGrantCommand,
      roles.rolesRevokePermissionCommand,
      roles.rolesAssignCommand,
      roles.rolesUnassignCommand,
    ]
  },
  keys: async () => {
    const keys = await import('./commands/keys-commands.js')
    return [keys.keysListCommand, keys.keysRotateCommand, keys.keysRevokeCommand]
  },
  webhooks: async () => {
    const webhooks = await import('./commands/webhooks-commands.js')
    return [
      webhooks.webhooksCreateCommand,
      webhooks.webhooksListCommand,
      webhooks.webhooksRotateSecretCommand,
      webhooks.webhooksDeleteCommand,
      webhooks.webhooksDeliveriesCommand,
      webhooks.webhooksResendCommand,
    ]
  },
  connections: async () => {
    const connections = await import('./commands/connections-commands.js')
    return [
      connections.connectionsCreateCommand,
      connections.connectionsListCommand,
      connections.connectionsDeleteCommand,
      connections.connectionsGenerateKeyCommand,
    ]
  },
  audit: async () => [(await import('./commands/audit-commands.js')).auditListCommand],
}

/** The commands of the group `word` names (none for an unknown word). */
function commandsOf(word: string | undefined): Promise<readonly Command[]> {
  const load = word !== undefined && Object.hasOwn(COMMAND_GROUPS, word) ? COMMAND_GROUPS[word] : undefined
  return load ? load() : Promise.resolve([])
}

/** Every command, in the order of the overview (loads all of the CLI's modules). */
export async function loadCommands(): Promise<readonly Command[]> {
  return (await Promise.all(Object.values(COMMAND_GROUPS).map((load) => load()))).flat()
}

async function overview(): Promise<string> {
  const commands = await loadCommands()
  const width = Math.max(...commands.map((command) => command.spec.name.length)) + 2
  const lines = commands.map((command) => `  ${command.spec.name.padEnd(width)} ${command.spec.summary}`)
  return `Tessera: an identity server.\n\nUsage: tessera <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun "tessera <command> --help" for a command's options.\n`
}

/**
 * Runs one CLI invocation and resolves with its exit code: 0 success, 1 a refused operation,
 * 2 a usage error, 69 the database or Redis unreachable (EX_UNAVAILABLE), 78 a configuration
 * error (EX_CONFIG).
 * @example
 * const code = await runCli(['users', 'list', '--json'], io)
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const candidates = await commandsOf(argv[0])
  const command = candidates.find((candidate) => matches(candidate.spec, argv))
  if (!command) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
      io.stdout(await overview())
      return argv.length === 0 ? 2 : 0
    }
    const group = candidates.filter((candidate) => candidate.spec.name.startsWith(`${argv[0]} `))
    const names = `Commands: ${group.map((candidate) => candidate.spec.name).join(', ')}\n`
    if (group.length > 0 && argv[1] === '--help') {
      io.stdout(names)
      return 0
    }
    if (group.length === 0 || argv[1] !== undefined) io.stderr(`Unknown command: ${argv.slice(0, 2).join(' ')}\n`)
    io.stderr(group.length > 0 ? names : await overview())
    return 2
  }
  const rest = argv.slice(command.spec.name.split(' ').length)
  const json = rest.includes('--json')
  try {
    const args = parseCommandArgs(command.spec, rest)
    if (args.values.help) {
      io.stdout(helpText(command.spec))
      return 0
    }
    return await command.run(createContext(io, args))
  } catch (error) {
    return reportFailure(error, io, json, command.spec)
  }
}

function matches(spec: CommandSpec, argv: string[]): boolean {
  const words = spec.name.split(' ')
  return words.every((word, index) => argv[index] === word)
}

function reportFailure(error: unknown, io: CliIo, json: boolean, spec: CommandSpec): number {
  const print = (code: string, message: string) =>
    io.stderr(json ? `${JSON.stringify({ error: { code, message } })}\n` : `tessera ${spec.name}: ${message}\n`)
  if (error instanceof UsageError) {
    print('usage', `${error.message}\nUsage: tessera ${spec.usage}`)
    return 2
  }
  if (error instanceof ConfigError) {
    print('invalid_config', error.message)
    return 78
  }
  if (error instanceof UnreachableError) {
    print('unavailable', error.message)
    return 69
  }
  if (isTesseraError(error)) {
    print(error.code, error.message)
    return 1
  }
  // Unexpected: say what failed without dumping internals that may hold connection strings.
  print('internal_error', (error as Error)?.message ?? String(error))
  return 1
}
