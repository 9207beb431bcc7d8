import { ConfigError } from '../config/config-error.js'
import { isTesseraError } from '../shared/errors.js'
import { UnreachableError } from '../shared/unreachable-error.js'
import { type CommandSpec, helpText, parseCommandArgs, UsageError } from './cli-args.js'
import type { CliIo } from './cli-io.js'
import { type Command, createContext } from './command.js'
import { adminBootstrapCommand, adminGrantCommand } from './commands/admin-commands.js'
import {
  apisCreateCommand,
  apisDeleteCommand,
  apisEncryptionKeyCommand,
  apisListCommand,
  apisRequireDpopCommand,
  apisRolesClaimCommand,
} from './commands/apis-commands.js'
import {
  appsCreateCommand,
  appsDeleteCommand,
  appsListCommand,
  appsRotateSecretCommand,
  appsUpdateCommand,
} from './commands/apps-commands.js'
import { auditListCommand } from './commands/audit-commands.js'
import { backupCommand, restoreCommand } from './commands/backup-commands.js'
import {
  connectionsCreateCommand,
  connectionsDeleteCommand,
  connectionsGenerateKeyCommand,
  connectionsListCommand,
} from './commands/connections-commands.js'
import {
  emailDeliveriesCommand,
  usersSendResetCommand,
  usersSendVerificationCommand,
  usersVerifyEmailCommand,
} from './commands/email-commands.js'
import { keysListCommand, keysRevokeCommand, keysRotateCommand } from './commands/keys-commands.js'
import { migrateCommand } from './commands/migrate-command.js'
import {
  rolesAssignCommand,
  rolesCreateCommand,
  rolesDeleteCommand,
  rolesGrantCommand,
  rolesListCommand,
  rolesRevokePermissionCommand,
  rolesShowCommand,
  rolesUnassignCommand,
  rolesUpdateCommand,
} from './commands/roles-commands.js'
import { sessionsListCommand, sessionsRevokeCommand } from './commands/sessions-commands.js'
import { startCommand } from './commands/start-command.js'
import {
  usersCreateCommand,
  usersDeleteCommand,
  usersDisableCommand,
  usersEnableCommand,
  usersListCommand,
  usersResetPasswordCommand,
} from './commands/users-commands.js'
import { usersIdentitiesListCommand, usersIdentitiesUnlinkCommand } from './commands/users-identities-commands.js'
import { usersMfaListCommand, usersMfaResetCommand } from './commands/users-mfa-commands.js'
import {
  webhooksCreateCommand,
  webhooksDeleteCommand,
  webhooksDeliveriesCommand,
  webhooksListCommand,
  webhooksResendCommand,
  webhooksRotateSecretCommand,
} from './commands/webhooks-commands.js'

export const COMMANDS: readonly Command[] = [
  startCommand,
  migrateCommand,
  backupCommand,
  restoreCommand,
  adminBootstrapCommand,
  adminGrantCommand,
  usersCreateCommand,
  usersListCommand,
  usersDisableCommand,
  usersEnableCommand,
  usersResetPasswordCommand,
  usersDeleteCommand,
  usersMfaListCommand,
  usersMfaResetCommand,
  usersIdentitiesListCommand,
  usersIdentitiesUnlinkCommand,
  usersVerifyEmailCommand,
  usersSendVerificationCommand,
  usersSendResetCommand,
  emailDeliveriesCommand,
  sessionsListCommand,
  sessionsRevokeCommand,
  appsCreateCommand,
  appsListCommand,
  appsUpdateCommand,
  appsRotateSecretCommand,
  appsDeleteCommand,
  apisCreateCommand,
  apisListCommand,
  apisDeleteCommand,
  apisRolesClaimCommand,
  apisEncryptionKeyCommand,
  apisRequireDpopCommand,
  rolesCreateCommand,
  rolesListCommand,
  rolesShowCommand,
  rolesUpdateCommand,
  rolesDeleteCommand,
  rolesGrantCommand,
  rolesRevokePermissionCommand,
  rolesAssignCommand,
  rolesUnassignCommand,
  keysListCommand,
  keysRotateCommand,
  keysRevokeCommand,
  webhooksCreateCommand,
  webhooksListCommand,
  webhooksRotateSecretCommand,
  webhooksDeleteCommand,
  webhooksDeliveriesCommand,
  webhooksResendCommand,
  connectionsCreateCommand,
  connectionsListCommand,
  connectionsDeleteCommand,
  connectionsGenerateKeyCommand,
  auditListCommand,
]

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.spec.name.length)) + 2
  const lines = COMMANDS.map((command) => `  ${command.spec.name.padEnd(width)} ${command.spec.summary}`)
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
  const command = COMMANDS.find((candidate) => matches(candidate.spec, argv))
  if (!command) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
      io.stdout(overview())
      return argv.length === 0 ? 2 : 0
    }
    const group = COMMANDS.filter((candidate) => candidate.spec.name.startsWith(`${argv[0]} `))
    const names = `Commands: ${group.map((candidate) => candidate.spec.name).join(', ')}\n`
    if (group.length > 0 && argv[1] === '--help') {
      io.stdout(names)
      return 0
    }
    if (group.length === 0 || argv[1] !== undefined) io.stderr(`Unknown command: ${argv.slice(0, 2).join(' ')}\n`)
    io.stderr(group.length > 0 ? names : overview())
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
