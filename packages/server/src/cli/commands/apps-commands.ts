import { APPLICATION_TYPES, type ApplicationType, presentApplication } from '../../applications/application.js'
import { optionalInteger, optionalSwitch, requireString, UsageError } from '../cli-args.js'
import type { Command } from '../command.js'
import { withTessera } from '../command.js'

const CLI = { kind: 'cli' } as const

const BACKCHANNEL_HELP =
  'where Tessera POSTs a logout token when a session the app received tokens for ends (OIDC Back-Channel Logout 1.0; https, or loopback http)'
const BACKCHANNEL_SESSION_HELP = 'the app needs sid in logout tokens (Tessera always sends it)'

const REQUIRE_MFA_HELP = 'every user signing in to the app must pass a second factor, enrolling one if they have none (docs/mfa.md)'

const WEB_ORIGINS_HELP =
  "origins (scheme://host[:port]) whose pages may call the token, revocation and userinfo endpoints, comma-separated; a spa defaults to its redirect URIs' origins"

function list(value: string | boolean | undefined): string[] | undefined {
  if (typeof value !== 'string') return undefined
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
}

const REQUIRE_PAR_HELP = 'refuse authorization requests not pushed first to /oauth/par (RFC 9126)'

export const appsCreateCommand: Command = {
  spec: {
    name: 'apps create',
    summary: 'Register an application (OAuth client). The secret of a confidential application is printed once.',
    usage:
      'apps create --name N --type web|spa|native|m2m|resource-server [--grants g1,g2] [--redirect-uris u1,u2] [--api URI[,URI]] [--scopes s1,s2] [--first-party] [--post-logout-redirect-uri u1[,u2]] [--web-origins o1,o2] [--backchannel-logout-uri URL [--backchannel-logout-session-required]] [--require-mfa] [--require-par] [--json]',
    options: {
      name: { type: 'string', description: 'display name' },
      type: { type: 'string', description: `one of ${APPLICATION_TYPES.join(', ')}` },
      grants: {
        type: 'string',
        description: 'grant types (authorization_code, refresh_token, client_credentials, token_exchange, device_code)',
      },
      'redirect-uris': { type: 'string', description: 'exact redirect URIs, comma-separated' },
      api: { type: 'string', description: 'API identifier(s) the application may get tokens for (a resource server: its own API)' },
      scopes: { type: 'string', description: 'scopes the application may be granted' },
      'first-party': { type: 'boolean', description: 'a first-party application: the browser flow skips the consent screen' },
      'post-logout-redirect-uri': { type: 'string', description: 'exact URI(s), comma-separated, logout may return the browser to' },
      'web-origins': { type: 'string', description: WEB_ORIGINS_HELP },
      'backchannel-logout-uri': { type: 'string', description: BACKCHANNEL_HELP },
      'backchannel-logout-session-required': { type: 'boolean', description: BACKCHANNEL_SESSION_HELP },
      'require-par': { type: 'boolean', description: REQUIRE_PAR_HELP },
      'require-mfa': { type: 'boolean', description: REQUIRE_MFA_HELP },
      'access-token-ttl': { type: 'string', description: "override the API's access-token TTL, in seconds" },
      'refresh-token-ttl': { type: 'string', description: 'override the refresh-token idle TTL, in seconds' },
    },
  },
  async run(context) {
    const { args } = context
    const type = requireString(args, 'type')
    if (!(APPLICATION_TYPES as readonly string[]).includes(type))
      throw new UsageError(`--type must be one of ${APPLICATION_TYPES.join(', ')}`)
    const grants = list(args.values.grants)
    const redirectUris = list(args.values['redirect-uris'])
    const apis = list(args.values.api)
    const scopes = list(args.values.scopes)
    const postLogoutRedirectUris = list(args.values['post-logout-redirect-uri'])
    const webOrigins = list(args.values['web-origins'])
    const input = {
      name: requireString(args, 'name'),
      type: type as ApplicationType,
      ...(grants ? { grants } : {}),
      ...(redirectUris ? { redirectUris } : {}),
      ...(apis ? { apis } : {}),
      ...(scopes ? { scopes } : {}),
      ...(args.values['first-party'] === true ? { firstParty: true } : {}),
      ...(postLogoutRedirectUris ? { postLogoutRedirectUris } : {}),
      ...(webOrigins ? { webOrigins } : {}),
      ...(typeof args.values['backchannel-logout-uri'] === 'string' ? { backchannelLogoutUri: args.values['backchannel-logout-uri'] } : {}),
      ...(args.values['backchannel-logout-session-required'] === true ? { backchannelLogoutSessionRequired: true } : {}),
      ...(args.values['require-par'] === true ? { requirePushedAuthorizationRequests: true } : {}),
      ...(args.values['require-mfa'] === true ? { requireMfa: true } : {}),
      ...(args.values['access-token-ttl'] !== undefined ? { accessTokenTtl: optionalInteger(args, 'access-token-ttl', 0, 86_400) } : {}),
      ...(args.values['refresh-token-ttl'] !== undefined
        ? { refreshTokenTtl: optionalInteger(args, 'refresh-token-ttl', 0, 31_536_000) }
        : {}),
    }
    const { application, clientSecret } = await withTessera(context, (tessera) => tessera.services.applications.create(input, CLI))
    context.output(
      { clientId: application.id, ...(clientSecret ? { clientSecret } : {}), application: presentApplication(application) },
      `Created ${application.type} application ${application.name}\nclient_id:     ${application.id}${clientSecret ? `\nclient_secret: ${clientSecret}\n(shown once: store it now)` : ''}`,
    )
    return 0
  },
}

export const appsUpdateCommand: Command = {
  spec: {
    name: 'apps update',
    summary: "Change an application's settings; options left out keep their value.",
    usage:
      'apps update <client-id> [--name N] [--redirect-uris u1,u2] [--post-logout-redirect-uri u1[,u2]] [--web-origins o1,o2|default] [--backchannel-logout-uri URL|none] [--require-mfa on|off] [--require-par on|off] [--json]',
    options: {
      name: { type: 'string', description: 'display name' },
      'redirect-uris': { type: 'string', description: 'exact redirect URIs, comma-separated (replaces the list)' },
      'post-logout-redirect-uri': { type: 'string', description: 'exact URI(s), comma-separated, logout may return the browser to' },
      'web-origins': { type: 'string', description: `${WEB_ORIGINS_HELP}; "default" returns to the default` },
      'backchannel-logout-uri': { type: 'string', description: `${BACKCHANNEL_HELP}; "none" removes it` },
      'require-mfa': { type: 'string', description: `on or off: ${REQUIRE_MFA_HELP}` },
      'require-par': { type: 'string', description: `on or off: ${REQUIRE_PAR_HELP}` },
    },
    positionals: 1,
  },
  async run(context) {
    const { args } = context
    const clientId = args.positionals[0] as string
    const redirectUris = list(args.values['redirect-uris'])
    const postLogoutRedirectUris = list(args.values['post-logout-redirect-uri'])
    const webOrigins = args.values['web-origins'] === 'default' ? null : list(args.values['web-origins'])
    const backchannelLogoutUri = args.values['backchannel-logout-uri']
    const requireMfa = optionalSwitch(args, 'require-mfa')
    const requirePar = optionalSwitch(args, 'require-par')
    const changes = {
      ...(requirePar !== undefined ? { requirePushedAuthorizationRequests: requirePar } : {}),
      ...(typeof args.values.name === 'string' ? { name: args.values.name } : {}),
      ...(redirectUris ? { redirectUris } : {}),
      ...(postLogoutRedirectUris ? { postLogoutRedirectUris } : {}),
      ...(webOrigins !== undefined ? { webOrigins } : {}),
      ...(typeof backchannelLogoutUri === 'string'
        ? { backchannelLogoutUri: backchannelLogoutUri === 'none' ? null : backchannelLogoutUri }
        : {}),
      ...(requireMfa !== undefined ? { requireMfa } : {}),
    }
    if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: give at least one option')
    const application = await withTessera(context, (tessera) => tessera.services.applications.update(clientId, changes, CLI))
    const presented = presentApplication(application)
    context.output(
      { application: presented },
      `Updated application ${application.name} (${application.id})\nweb origins: ${presented.allowedWebOrigins.join(', ') || '(none)'}`,
    )
    return 0
  },
}

export const appsListCommand: Command = {
  spec: { name: 'apps list', summary: 'List applications.', usage: 'apps list [--json]', options: {} },
  async run(context) {
    const apps = await withTessera(context, (tessera) => tessera.services.applications.list())
    const human = apps.length === 0 ? 'No applications.' : apps.map((app) => `${app.id}  ${app.type.padEnd(15)}  ${app.name}`).join('\n')
    context.output({ applications: apps.map(presentApplication) }, human)
    return 0
  },
}

export const appsRotateSecretCommand: Command = {
  spec: {
    name: 'apps rotate-secret',
    summary: 'Replace the secret of a confidential application; the old secret stops working at once.',
    usage: 'apps rotate-secret <client-id> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const clientId = context.args.positionals[0] as string
    const clientSecret = await withTessera(context, (tessera) => tessera.services.applications.rotateSecret(clientId, CLI))
    context.output({ clientId, clientSecret }, `client_secret: ${clientSecret}\n(shown once: store it now)`)
    return 0
  },
}

export const appsDeleteCommand: Command = {
  spec: {
    name: 'apps delete',
    summary: 'Delete an application; its refresh tokens die with it and its access tokens stop introspecting as active.',
    usage: 'apps delete <client-id> [--json]',
    options: {},
    positionals: 1,
  },
  async run(context) {
    const clientId = context.args.positionals[0] as string
    await withTessera(context, (tessera) => tessera.services.applications.delete(clientId, CLI))
    context.output({ deleted: clientId }, `Deleted application ${clientId}.`)
    return 0
  },
}
