import { readFile } from 'node:fs/promises'
import { type Api, presentApi, VERIFICATION_MODES, type VerificationMode } from '../../apis/api.js'
import { ENCRYPTION_CURVES, type EncryptionCurve, type EncryptionKeyRequest } from '../../apis/api-encryption-key.js'
import { optionalInteger, type ParsedArgs, parseSwitch, requireString, UsageError } from '../cli-args.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const

const ENCRYPTION_OPTIONS = {
  curve: { type: 'string', description: `curve of a generated encryption key pair: ${ENCRYPTION_CURVES.join(' or ')} (default P-256)` },
  'public-jwk': { type: 'string', description: "encrypt to the API's own public key, read from this JSON (JWK) file" },
} as const

/** The encryption key asked for by --encrypt-tokens/--generate (with --curve) or --public-jwk, or null. */
async function encryptionRequest(args: ParsedArgs, generate: boolean): Promise<EncryptionKeyRequest | null> {
  const file = args.values['public-jwk']
  if (generate && typeof file === 'string') throw new UsageError('give either a key to generate or --public-jwk, not both')
  if (typeof file === 'string') {
    let publicJwk: unknown
    try {
      publicJwk = JSON.parse(await readFile(file, 'utf8'))
    } catch {
      throw new UsageError(`--public-jwk: cannot read a JSON key from ${file}`)
    }
    return { publicJwk }
  }
  if (!generate && args.values.curve !== undefined) throw new UsageError('--curve goes with a key to generate')
  const curve = args.values.curve ?? 'P-256'
  if (!(ENCRYPTION_CURVES as readonly unknown[]).includes(curve))
    throw new UsageError(`--curve must be one of ${ENCRYPTION_CURVES.join(', ')}`)
  return generate ? { generate: curve as EncryptionCurve } : null
}

/** Prints an API and, once, the private key Tessera made for it: it is stored nowhere. */
function outputWithKey(context: Parameters<Command['run']>[0], api: Api, privateJwk: object | null, message: string): void {
  const human = privateJwk
    ? `${message}\nThe private key of its tokens' encryption, shown this once (give it to the resource server, keep it secret):\n${JSON.stringify(privateJwk)}`
    : message
  context.output({ api: presentApi(api), ...(privateJwk ? { privateJwk } : {}) }, human)
}

export const apisCreateCommand: Command = {
  spec: {
    name: 'apis create',
    summary: 'Register an API (a resource): its identifier is the audience of its tokens.',
    usage:
      'apis create --identifier URI --name N --mode session|jwt|hybrid [--scopes a,b] [--ttl SECONDS] [--roles-claim] [--require-dpop] [--encrypt-tokens [--curve P-256|X25519] | --public-jwk FILE] [--json]',
    options: {
      identifier: { type: 'string', description: 'absolute URI, e.g. https://api.example.com' },
      name: { type: 'string', description: 'display name' },
      mode: { type: 'string', description: 'how resource servers verify its tokens: session, jwt or hybrid' },
      scopes: { type: 'string', description: 'permissions the API defines, comma-separated' },
      ttl: { type: 'string', description: 'access-token lifetime in seconds (default 300 for jwt, 3600 otherwise)' },
      'roles-claim': { type: 'boolean', description: "put a roles claim (the subject's role names) in its access tokens" },
      'require-dpop': { type: 'boolean', description: 'issue it DPoP-bound tokens only (RFC 9449)' },
      'encrypt-tokens': {
        type: 'boolean',
        description: 'encrypt its access tokens (JWE) to a key pair made now; the private key is printed once',
      },
      ...ENCRYPTION_OPTIONS,
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
    const encryption = await encryptionRequest(args, args.values['encrypt-tokens'] === true)
    const { api, privateJwk } = await withTessera(context, (tessera) =>
      tessera.services.apis.register(
        {
          identifier: requireString(args, 'identifier'),
          name: requireString(args, 'name'),
          mode: mode as VerificationMode,
          scopes,
          ...(args.values.ttl !== undefined ? { accessTokenTtl: optionalInteger(args, 'ttl', 0, 86_400) } : {}),
          ...(args.values['roles-claim'] === true ? { rolesClaim: true } : {}),
          ...(args.values['require-dpop'] === true ? { requireDpop: true } : {}),
          ...(encryption ? { encryption } : {}),
        },
        CLI,
      ),
    )
    const encrypted = api.encryptionKey ? `, tokens encrypted to key ${api.encryptionKey.kid}` : ''
    outputWithKey(context, api, privateJwk, `Created API ${api.identifier} (${api.mode}, tokens live ${api.accessTokenTtl} s${encrypted})`)
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
    const on = parseSwitch(state, 'apis roles-claim')
    const api = await withTessera(context, (tessera) => tessera.services.apis.setRolesClaim(identifier, on, CLI))
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
    const on = parseSwitch(state, 'apis require-dpop')
    const api = await withTessera(context, async (tessera) => {
      const found = await tessera.services.apis.get(identifier)
      return tessera.services.apis.update(found.id, { requireDpop: on }, CLI)
    })
    context.output({ api: presentApi(api) }, `Tokens for ${api.identifier} ${api.requireDpop ? 'must be' : 'need not be'} DPoP-bound.`)
    return 0
  },
}

export const apisEncryptionKeyCommand: Command = {
  spec: {
    name: 'apis encryption-key',
    summary: "Set, rotate or remove the key an API's access tokens are encrypted to (JWE).",
    usage: 'apis encryption-key <identifier> --generate [--curve P-256|X25519] | --public-jwk FILE | --off [--json]',
    options: {
      generate: { type: 'boolean', description: 'make a new key pair; its private key is printed once' },
      off: { type: 'boolean', description: 'stop encrypting: its tokens are signed only' },
      ...ENCRYPTION_OPTIONS,
    },
    positionals: 1,
  },
  async run(context) {
    const { args } = context
    const identifier = args.positionals[0] as string
    const off = args.values.off === true
    const request = await encryptionRequest(args, args.values.generate === true)
    if (off === (request !== null)) throw new UsageError('say exactly one of --generate, --public-jwk FILE or --off')
    const { api, privateJwk } = await withTessera(context, async (tessera) => {
      const found = await tessera.services.apis.get(identifier)
      return tessera.services.apis.setEncryptionKey(found.id, request, CLI)
    })
    const message = api.encryptionKey
      ? `Access tokens for ${api.identifier} are now encrypted to key ${api.encryptionKey.kid}.`
      : `Access tokens for ${api.identifier} are signed only.`
    outputWithKey(context, api, privateJwk, message)
    return 0
  },
}
