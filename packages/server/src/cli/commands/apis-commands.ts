import { presentApi, VERIFICATION_MODES, type VerificationMode } from '../../apis/api.js'
import { optionalInteger, requireString, UsageError } from '../cli-args.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const

export const apisCreateCommand: Command = {
  spec: {
    name: 'apis create',
    summary: 'Register an API (a resource): its identifier is the audience of its tokens.',
    usage:
      'apis create --identifier URI --name N --mode session|jwt|hybrid [--scopes a,b] [--ttl SECONDS] [--roles-claim] [--require-dpop] [--json]',
    options: {
      identifier: { type: 'string', description: 'absolute URI, e.g. https://api.example.com' },
      name: { type: 'string', description: 'display name' },
      mode: { type: 'string', description: 'how resource servers verify its tokens: session, jwt or hybrid' },
      scopes: { type: 'string', description: 'permissions the API defines, comma-separated' },
      ttl: { type: 'string', description: 'access-token lifetime in seconds (default 300 for jwt, 3600 otherwise)' },
      'roles-claim': { type: 'boolean', description: "put a roles claim (the subject's role names) in its access tokens" },
      'require-dpop': { type: 'boolean', description: 'issue it DPoP-bound tokens only (RFC 9449)' },
    },
  },
  async run(context) {
    const { args } = context
    const mode = requireString(args, 'mode')
    if (!(VERIFICATION_MODES as readonly string[]).includes(mode))
      throw new UsageError(`--mode must be one of ${VERIFICATION_MODES.join(', ')}`)
    const scopes =
      typeof args.values.scopes === 'string'
        ? args.values.scopes
            .split(',')
            .map((scope) => scope.trim())
            .filter(Boolean)
        : []
    const api = await withTessera(context, (tessera) =>
      tessera.services.apis.create(
        {
          identifier: requireString(args, 'identifier'),
          name: requireString(args, 'name'),
          mode: mode as VerificationMode,
          scopes,
          ...(args.values.ttl !== undefined ? { accessTokenTtl: optionalInteger(args, 'ttl', 0, 86_400) } : {}),
          ...(args.values['roles-claim'] === true ? { rolesClaim: true } : {}),
          ...(args.values['require-dpop'] === true ? { requireDpop: true } : {}),
        },
        CLI,
      ),
    )
    context.output({ api: presentApi(api) }, `Created API ${api.identifier} (${api.mode}, tokens live ${api.accessTokenTtl} s)`)
    return 0
  },
}

export const apisListCommand: Command = {
  spec: { name: 'apis list', summary: 'List APIs.', usage: 'apis list [--json]', options: {} },
  async run(context) {
    const apis = await withTessera(context, (tessera) => tessera.services.apis.list())
    const human =
      apis.length === 0 ? 'No APIs.' : apis.map((api) => `${api.identifier}  ${api.mode.padEnd(7)}  ${api.scopes.join(' ')}`).join('\n')
    context.output({ apis: apis.map(presentApi) }, human)
    return 0
  },
}

export const apisDeleteCommand: Command = {
  spec: {
    name: 'apis delete',
    summary: 'Delete an API by identifier.',
    usage: 'apis delete <identifier> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const identifier = context.args.positionals[0] as string
    await withTessera(context, (tessera) => tessera.services.apis.delete(identifier, CLI))
    context.output({ deleted: identifier }, `Deleted API ${identifier}.`)
    return 0
  },
}

export const apisRolesClaimCommand: Command = {
  spec: {
    name: 'apis roles-claim',
    summary: "Turn the roles claim of an API's access tokens on or off.",
    usage: 'apis roles-claim <identifier> on|off [--json]',
    options: {},
    positionals: 2,
  },
  async run(context) {
    const [identifier, state] = context.args.positionals as [string, string]
    if (state !== 'on' && state !== 'off') throw new UsageError('say on or off')
    const api = await withTessera(context, (tessera) => tessera.services.apis.setRolesClaim(identifier, state === 'on', CLI))
    context.output(
      { api: presentApi(api) },
      `Access tokens for ${api.identifier} ${api.rolesClaim ? 'carry' : 'do not carry'} a roles claim.`,
    )
    return 0
  },
}

export const apisRequireDpopCommand: Command = {
  spec: {
    name: 'apis require-dpop',
    summary: 'Issue an API DPoP-bound tokens only (on), or Bearer tokens too (off).',
    usage: 'apis require-dpop <identifier> on|off [--json]',
    options: {},
    positionals: 2,
  },
  async run(context) {
    const [identifier, state] = context.args.positionals as [string, string]
    if (state !== 'on' && state !== 'off') throw new UsageError('say on or off')
    const api = await withTessera(context, async (tessera) => {
      const found = await tessera.services.apis.get(identifier)
      return tessera.services.apis.update(found.id, { requireDpop: state === 'on' }, CLI)
    })
    context.output({ api: presentApi(api) }, `Tokens for ${api.identifier} ${api.requireDpop ? 'must be' : 'need not be'} DPoP-bound.`)
    return 0
  },
}
