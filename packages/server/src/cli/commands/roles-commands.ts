import type { Tessera } from '../../app/tessera.js'
import { presentRole } from '../../rbac/role.js'
import { optionalSwitch, type ParsedArgs, UsageError } from '../cli-args.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const

/** Thin clients of the role service: every rule lives there. */

export const rolesCreateCommand: Command = {
  spec: {
    name: 'roles create',
    summary: 'Create a role: a named bundle of API permissions.',
    usage: 'roles create <name> [--description TEXT] [--default] [--json]',
    options: {
      description: { type: 'string', description: 'what the role is for' },
      default: { type: 'boolean', description: 'give the role to every account created from now on' },
    },
    positionals: 1,
  },
  async run(context) {
    const name = context.args.positionals[0] as string
    const description = typeof context.args.values.description === 'string' ? context.args.values.description : undefined
    const isDefault = context.args.values.default === true
    const role = await withTessera(context, (tessera) =>
      tessera.services.roles.create({ name, ...(description !== undefined ? { description } : {}), default: isDefault }, CLI),
    )
    context.output({ role: presentRole(role) }, `Created role ${role.name} (${role.id})${role.isDefault ? ', given at sign-up' : ''}`)
    return 0
  },
}

export const rolesUpdateCommand: Command = {
  spec: {
    name: 'roles update',
    summary: 'Rename a role, change its description, or choose whether new accounts get it (--default on|off).',
    usage: 'roles update <role> [--name NAME] [--description TEXT] [--default on|off] [--json]',
    options: {
      name: { type: 'string', description: "the new name (cuts off holders' live tokens: their roles claim names the old one)" },
      description: { type: 'string', description: 'what the role is for' },
      default: {
        type: 'string',
        description: 'on: every account created from now on gets the role; off: none does (true|false also work)',
      },
    },
    positionals: 1,
  },
  async run(context) {
    const role = context.args.positionals[0] as string
    const { name, description } = context.args.values
    const isDefault = optionalSwitch(context.args, 'default')
    const changes = {
      ...(typeof name === 'string' ? { name } : {}),
      ...(typeof description === 'string' ? { description } : {}),
      ...(isDefault !== undefined ? { default: isDefault } : {}),
    }
    const updated = await withTessera(context, (tessera) => tessera.services.roles.update(role, changes, CLI))
    context.output({ role: presentRole(updated) }, `Updated role ${updated.name}${updated.isDefault ? ' (given at sign-up)' : ''}.`)
    return 0
  },
}

export const rolesListCommand: Command = {
  spec: { name: 'roles list', summary: 'List roles.', usage: 'roles list [--json]', options: {} },
  async run(context) {
    const roles = await withTessera(context, (tessera) => tessera.services.roles.list())
    const human = roles.length === 0 ? 'No roles.' : roles.map((role) => `${role.name}  ${role.id}  ${role.description}`).join('\n')
    context.output({ roles: roles.map(presentRole) }, human)
    return 0
  },
}

export const rolesShowCommand: Command = {
  spec: {
    name: 'roles show',
    summary: 'Show a role and its permissions.',
    usage: 'roles show <role> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const role = await withTessera(context, (tessera) => tessera.services.roles.get(context.args.positionals[0] as string))
    const permissions =
      role.permissions.length === 0 ? '  (no permissions)' : role.permissions.map((p) => `  ${p.api}  ${p.permission}`).join('\n')
    context.output(
      { role: presentRole(role) },
      `${role.name} (${role.id})\n${role.description ? `${role.description}\n` : ''}${permissions}`,
    )
    return 0
  },
}

export const rolesDeleteCommand: Command = {
  spec: {
    name: 'roles delete',
    summary: 'Delete a role. Its holders lose it, and their tokens that may carry its permissions die.',
    usage: 'roles delete <role> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const role = context.args.positionals[0] as string
    await withTessera(context, (tessera) => tessera.services.roles.delete(role, CLI))
    context.output({ deleted: role }, `Deleted role ${role}.`)
    return 0
  },
}

export const rolesGrantCommand: Command = {
  spec: {
    name: 'roles grant',
    summary: 'Add permissions (scopes the API defines) of one API to a role.',
    usage: 'roles grant <role> <api> <permission...> [--json]',
    options: {},
    positionals: [3, 102],
  },
  async run(context) {
    const [role, api, ...permissions] = context.args.positionals as [string, string, ...string[]]
    const updated = await withTessera(context, (tessera) => tessera.services.roles.addPermissions(role, api, permissions, CLI))
    context.output({ role: presentRole(updated) }, `Role ${updated.name} now grants ${permissions.join(' ')} on ${api}.`)
    return 0
  },
}

export const rolesRevokePermissionCommand: Command = {
  spec: {
    name: 'roles revoke-permission',
    summary: "Remove permissions of one API from a role; its holders' live tokens die.",
    usage: 'roles revoke-permission <role> <api> <permission...> [--json]',
    options: {},
    positionals: [3, 102],
  },
  async run(context) {
    const [role, api, ...permissions] = context.args.positionals as [string, string, ...string[]]
    const updated = await withTessera(context, (tessera) => tessera.services.roles.removePermissions(role, api, permissions, CLI))
    context.output({ role: presentRole(updated) }, `Role ${updated.name} no longer grants ${permissions.join(' ')} on ${api}.`)
    return 0
  },
}

const HOLDER_OPTIONS = {
  user: { type: 'string', description: "the user's email address or id" },
  app: { type: 'string', description: "an m2m application's client id" },
} as const

/** Exactly one of --user and --app. */
function holder(args: ParsedArgs): { user: string } | { app: string } {
  const user = typeof args.values.user === 'string' && args.values.user !== '' ? args.values.user : undefined
  const app = typeof args.values.app === 'string' && args.values.app !== '' ? args.values.app : undefined
  if ((user === undefined) === (app === undefined)) throw new UsageError('name exactly one of --user and --app')
  return user !== undefined ? { user } : { app: app as string }
}

async function changeHolder(tessera: Tessera, role: string, who: { user: string } | { app: string }, assign: boolean) {
  const { roles, users } = tessera.services
  if ('user' in who) {
    const user = await users.get(who.user)
    await (assign ? roles.assignToUser(role, user.id, CLI) : roles.unassignFromUser(role, user.id, CLI))
    return user.email
  }
  await (assign ? roles.assignToApplication(role, who.app, CLI) : roles.unassignFromApplication(role, who.app, CLI))
  return `application ${who.app}`
}

export const rolesAssignCommand: Command = {
  spec: {
    name: 'roles assign',
    summary: 'Give a role to a user or an m2m application.',
    usage: 'roles assign <role> --user EMAIL|ID | --app CLIENT_ID [--json]',
    options: HOLDER_OPTIONS,
    positionals: 1,
  },
  async run(context) {
    const role = context.args.positionals[0] as string
    const who = holder(context.args)
    const name = await withTessera(context, (tessera) => changeHolder(tessera, role, who, true))
    context.output({ assigned: role, ...who }, `${name} holds role ${role}.`)
    return 0
  },
}

export const rolesUnassignCommand: Command = {
  spec: {
    name: 'roles unassign',
    summary: 'Take a role from a user or an m2m application; their live tokens die.',
    usage: 'roles unassign <role> --user EMAIL|ID | --app CLIENT_ID [--json]',
    options: HOLDER_OPTIONS,
    positionals: 1,
  },
  async run(context) {
    const role = context.args.positionals[0] as string
    const who = holder(context.args)
    const name = await withTessera(context, (tessera) => changeHolder(tessera, role, who, false))
    context.output({ unassigned: role, ...who }, `${name} no longer holds role ${role}.`)
    return 0
  },
}
