import { PRESETS, type Preset } from '../../connections/presets.js'
import { requireString, UsageError } from '../cli-args.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const

const list = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((each) => each.trim())
        .filter((each) => each.length > 0)
    : undefined

const text = (value: unknown) => (typeof value === 'string' ? value : undefined)

export const connectionsCreateCommand: Command = {
  spec: {
    name: 'connections create',
    summary: 'Add an upstream identity provider users can sign in with; prints the redirect URI to register there.',
    usage:
      'connections create (--type oidc --issuer URL | --type oauth2 --authorization-endpoint URL --token-endpoint URL --userinfo-endpoint URL --subject-field F | --preset google|microsoft|github|gitlab) --client-id ID [--client-secret-stdin] [--name NAME] [--json]',
    options: {
      type: { type: 'string', description: 'oidc (discovery, ID token) or oauth2 (a user endpoint); a preset sets it' },
      preset: { type: 'string', description: `fill in a known provider: ${PRESETS.join(', ')}` },
      tenant: { type: 'string', description: 'microsoft preset: your directory (tenant) id or domain' },
      name: { type: 'string', description: 'shown as "Continue with NAME" (a preset names itself)' },
      'icon-url': { type: 'string', description: 'an https image shown beside the name (a preset shows a mark of ours without it)' },
      issuer: { type: 'string', description: 'oidc: the issuer URL; its discovery document names the endpoints' },
      'authorization-endpoint': { type: 'string', description: 'oauth2: where the browser is sent' },
      'token-endpoint': { type: 'string', description: 'oauth2: where the code is redeemed' },
      'userinfo-endpoint': { type: 'string', description: 'oauth2: the user endpoint' },
      'emails-endpoint': { type: 'string', description: 'oauth2: a GitHub-like list of addresses; only a verified primary one is used' },
      'subject-field': { type: 'string', description: 'oauth2: the user endpoint field that identifies the user (e.g. id)' },
      'email-field': { type: 'string', description: 'oauth2: the field with the address' },
      'email-verified-field': { type: 'string', description: 'oauth2: a boolean field saying the address is verified' },
      'client-id': { type: 'string', description: 'the client id Tessera has at the provider' },
      'client-secret-stdin': { type: 'boolean', description: 'read the client secret from standard input (kept out of argv and history)' },
      scopes: { type: 'string', description: 'scopes to ask for, comma-separated (default: openid,email,profile for oidc)' },
      applications: {
        type: 'string',
        description: 'client ids of the applications that show it, comma-separated (default: every application)',
      },
      'allowed-hosts': { type: 'string', description: "hosts besides the issuer's the provider's endpoints may be on, comma-separated" },
      'no-sign-up': { type: 'boolean', description: 'never create an account on a first sign-in' },
      'allow-insecure-development': {
        type: 'boolean',
        description: 'allow http and loopback or private addresses, for a provider on your own machine; refused in production',
      },
    },
  },
  async run(context) {
    const values = context.args.values
    const preset = text(values.preset)
    if (preset !== undefined && !(PRESETS as readonly string[]).includes(preset))
      throw new UsageError(`--preset must be one of ${PRESETS.join(', ')}`)
    const type = text(values.type)
    if (type !== undefined && type !== 'oidc' && type !== 'oauth2') throw new UsageError('--type must be oidc or oauth2')
    if (preset === undefined && type === undefined) throw new UsageError('give --type oidc, --type oauth2 or --preset')
    const clientId = requireString(context.args, 'client-id')
    const clientSecret = values['client-secret-stdin'] === true ? (await context.io.readStdin()).replace(/\r?\n$/, '') : undefined
    if (clientSecret === '') throw new UsageError('--client-secret-stdin read an empty secret')
    const subject = text(values['subject-field'])
    const email = text(values['email-field'])
    const emailVerified = text(values['email-verified-field'])
    const input = {
      ...(type ? { type: type as 'oidc' | 'oauth2' } : {}),
      ...(preset ? { preset: preset as Preset } : {}),
      tenant: text(values.tenant),
      name: text(values.name),
      iconUrl: text(values['icon-url']) ?? null,
      issuer: text(values.issuer),
      authorizationEndpoint: text(values['authorization-endpoint']),
      tokenEndpoint: text(values['token-endpoint']),
      userinfoEndpoint: text(values['userinfo-endpoint']),
      emailsEndpoint: text(values['emails-endpoint']),
      ...(subject ? { userMapping: { subject, ...(email ? { email } : {}), ...(emailVerified ? { emailVerified } : {}) } } : {}),
      clientId,
      ...(clientSecret !== undefined ? { clientSecret } : {}),
      scopes: list(values.scopes),
      applications: list(values.applications) ?? null,
      allowSignUp: values['no-sign-up'] !== true,
      allowedHosts: list(values['allowed-hosts']),
      allowInsecureDevelopment: values['allow-insecure-development'] === true,
    }
    const shown = await withTessera(context, async (tessera) => {
      const connection = await tessera.connections.service.create(input, CLI)
      return tessera.connections.service.present(connection)
    })
    context.output(
      shown,
      `Created connection ${shown.id} (${shown.name})\nRegister this redirect URI at the provider:\n  ${shown.redirectUri}`,
    )
    return 0
  },
}

export const connectionsListCommand: Command = {
  spec: { name: 'connections list', summary: 'List upstream identity providers.', usage: 'connections list [--json]', options: {} },
  async run(context) {
    const shown = await withTessera(context, async (tessera) =>
      (await tessera.connections.service.list()).map(tessera.connections.service.present),
    )
    const human =
      shown.length === 0
        ? 'No connections.'
        : shown.map((each) => `${each.id}  ${each.type}  ${each.name}${each.enabled ? '' : ' (disabled)'}  ${each.redirectUri}`).join('\n')
    context.output({ connections: shown }, human)
    return 0
  },
}

export const connectionsDeleteCommand: Command = {
  spec: {
    name: 'connections delete',
    summary: 'Delete a connection; the identities linked through it go with it (accounts stay).',
    usage: 'connections delete <connection-id> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const id = context.args.positionals[0] as string
    await withTessera(context, (tessera) => tessera.connections.service.delete(id, CLI))
    context.output({ deleted: id }, `Deleted connection ${id}`)
    return 0
  },
}

export const connectionsGenerateKeyCommand: Command = {
  spec: {
    name: 'connections generate-key',
    summary:
      'Give a connection a private key for private_key_jwt in place of its client secret; prints the public JWK and JWKS URL to register.',
    usage: 'connections generate-key <connection-id> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const id = context.args.positionals[0] as string
    const { connection, jwk } = await withTessera(context, async (tessera) => {
      const generated = await tessera.connections.service.generateKey(id, CLI)
      return { connection: tessera.connections.service.present(generated.connection), jwk: generated.publicJwk }
    })
    context.output(
      { connection, jwk },
      `Connection ${id} now authenticates with private_key_jwt; its client secret is gone.\nRegister this public key at the provider:\n  ${JSON.stringify(jwk)}\nor its JWKS URL:\n  ${connection.jwksUri}`,
    )
    return 0
  },
}
