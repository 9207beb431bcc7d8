import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import type { Actor, EventOutbox } from '../events/event-outbox.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { checkWebhookTarget, type ResolveHost } from '../webhooks/webhook-target.js'
import { type Connection, presentConnection, type UserMapping } from './connection.js'
import type { ConnectionSecretBox } from './connection-secret-box.js'
import type { ConnectionStore } from './connection-store.js'
import { type Preset, presetSettings } from './presets.js'

/** A public JWK of an EC private one: its public members only (RFC 7518 §6.2.1), never `d`. */
function publicPart(jwk: JWK): JWK {
  const { kty, crv, x, y, kid, alg, use } = jwk
  return { kty, crv, x, y, kid, alg, use } as JWK
}

export interface ConnectionServiceDeps {
  stores: { connections: ConnectionStore }
  transact: Transact<{ connections: ConnectionStore; events: EventOutbox }>
  clock: Clock
  random: RandomSource
  secretBox: ConnectionSecretBox
  resolve: ResolveHost
  production: boolean
  /** Tessera's issuer: redirect URIs are under it. */
  issuer: string
  /** Told when a connection changes or goes, so no stale discovery is used. */
  onChange?: (connectionId: string) => void
}

export interface NewConnection {
  type?: 'oidc' | 'oauth2'
  preset?: Preset
  /** Microsoft: the directory (tenant) id or domain. */
  tenant?: string
  name?: string
  iconUrl?: string | null
  issuer?: string
  authorizationEndpoint?: string
  tokenEndpoint?: string
  userinfoEndpoint?: string
  emailsEndpoint?: string
  userMapping?: UserMapping
  clientId: string
  clientSecret?: string
  scopes?: string[]
  applications?: string[] | null
  allowSignUp?: boolean
  allowedHosts?: string[]
  allowInsecureDevelopment?: boolean
  enabled?: boolean
}

export interface ConnectionChanges {
  name?: string
  iconUrl?: string | null
  clientId?: string
  clientSecret?: string
  scopes?: string[]
  applications?: string[] | null
  allowSignUp?: boolean
  allowedHosts?: string[]
  enabled?: boolean
}

export type ConnectionService = ReturnType<typeof createConnectionService>

/** The connections operators manage (admin API, CLI). Secrets are write-only: sealed, never returned. */
export function createConnectionService(deps: ConnectionServiceDeps) {
  const { stores, transact, clock } = deps
  const invalid = (detail: string) => new TesseraError('connection_invalid', { detail })

  /** The shape of an endpoint URL; where it points is checked at every call (upstream-fetch.ts) and here. */
  async function checkUrl(raw: string | null | undefined, what: string, insecure: boolean): Promise<string | null> {
    if (raw === undefined || raw === null) return null
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw invalid(`${what} is not an absolute URL`)
    }
    if (raw.length > 2048) throw invalid(`${what} is too long`)
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && insecure)) {
      throw invalid(
        deps.production ? `${what} must be https in production` : `${what} must be https (plain http needs allowInsecureDevelopment)`,
      )
    }
    if (url.username !== '' || url.password !== '' || url.hash !== '') throw invalid(`${what} must carry no credentials and no fragment`)
    const check = await checkWebhookTarget(url, { resolve: deps.resolve, allowPrivate: insecure })
    if (!check.ok && check.reason === 'address_forbidden')
      throw invalid(`${what} points at an address Tessera does not call (${check.range})`)
    return raw
  }

  const checkList = (values: string[] | undefined, what: string, pattern: RegExp, max: number) => {
    if (values === undefined) return
    if (values.length > max || values.some((value) => !pattern.test(value))) throw invalid(`${what} is not acceptable`)
  }

  function checkCommon(input: Omit<ConnectionChanges, 'clientSecret'> & { clientSecret?: string }) {
    if (input.name !== undefined && (input.name.trim().length === 0 || input.name.length > 100))
      throw invalid('the name must have 1 to 100 characters')
    if (input.clientId !== undefined && (input.clientId.length === 0 || input.clientId.length > 255))
      throw invalid('the client id must have 1 to 255 characters')
    if (input.clientSecret !== undefined && (input.clientSecret.length === 0 || input.clientSecret.length > 1024))
      throw invalid('the client secret must have 1 to 1024 characters')
    checkList(input.scopes, 'scopes', /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/, 50) // RFC 6749 §3.3 scope-token
    checkList(input.applications ?? undefined, 'applications', /^[A-Za-z0-9_.:-]{1,200}$/, 200)
    checkList(input.allowedHosts, 'allowedHosts', /^[a-z0-9.-]{1,253}(:\d{1,5})?$/, 20)
  }

  async function find(id: string): Promise<Connection> {
    const found = /^con_[A-Za-z0-9_-]{22}$/.test(id) ? await stores.connections.findById(id) : null
    if (!found) throw new TesseraError('connection_not_found')
    return found
  }

  return {
    async create(input: NewConnection, actor: Actor): Promise<Connection> {
      const preset = input.preset ? presetSettings(input.preset, { tenant: input.tenant }) : null
      const type = input.type ?? preset?.type ?? 'oidc'
      if (preset && input.type && input.type !== preset.type) throw invalid(`the ${input.preset} preset is of type ${preset.type}`)
      const insecure = input.allowInsecureDevelopment === true
      if (insecure && deps.production) throw invalid('allowInsecureDevelopment is refused in production')
      checkCommon(input)
      const scopes = input.scopes ?? preset?.scopes ?? (type === 'oidc' ? ['openid', 'email', 'profile'] : [])
      if (type === 'oidc' && !scopes.includes('openid')) throw invalid('an OpenID Connect connection must ask for the openid scope')
      const now = clock.now()
      const id = `con_${randomToken(deps.random, 16)}`
      const connection: Connection = {
        id,
        type,
        preset: input.preset ?? null,
        name: (input.name ?? preset?.name ?? '').trim(),
        iconUrl: await checkUrl(input.iconUrl, 'the icon URL', insecure),
        issuer: await checkUrl(input.issuer ?? preset?.issuer, 'the issuer', insecure),
        authorizationEndpoint: await checkUrl(
          input.authorizationEndpoint ?? preset?.authorizationEndpoint,
          'the authorization endpoint',
          insecure,
        ),
        tokenEndpoint: await checkUrl(input.tokenEndpoint ?? preset?.tokenEndpoint, 'the token endpoint', insecure),
        userinfoEndpoint: await checkUrl(input.userinfoEndpoint ?? preset?.userinfoEndpoint, 'the user endpoint', insecure),
        emailsEndpoint: await checkUrl(input.emailsEndpoint ?? preset?.emailsEndpoint, 'the emails endpoint', insecure),
        userMapping: input.userMapping ??
          preset?.userMapping ?? { subject: 'sub', email: 'email', emailVerified: 'email_verified', name: 'name' },
        clientId: input.clientId,
        clientSecretSealed: input.clientSecret === undefined ? null : deps.secretBox.seal(id, input.clientSecret),
        privateKeySealed: null,
        scopes,
        applications: input.applications ?? null,
        allowSignUp: input.allowSignUp ?? true,
        allowedHosts: [...new Set([...(preset?.allowedHosts ?? []), ...(input.allowedHosts ?? [])].map((host) => host.toLowerCase()))],
        allowInsecureDevelopment: insecure,
        enabled: input.enabled ?? true,
        createdAt: now,
        updatedAt: now,
      }
      if (connection.name === '') throw invalid('the connection needs a name')
      if (type === 'oidc' && !connection.issuer) throw invalid('an OpenID Connect connection needs an issuer')
      if (type === 'oauth2' && (!connection.authorizationEndpoint || !connection.tokenEndpoint || !connection.userinfoEndpoint))
        throw invalid('an OAuth 2.0 connection needs its authorization, token and user endpoints')
      if (type === 'oauth2' && (typeof connection.userMapping.subject !== 'string' || connection.userMapping.subject === ''))
        throw invalid('an OAuth 2.0 connection needs userMapping.subject')
      await transact(async (tx) => {
        await tx.connections.insert(connection)
        await tx.events.append({
          type: 'connection.created',
          actor,
          userId: null,
          payload: { connectionId: id, name: connection.name, type, preset: connection.preset },
          ip: null,
          createdAt: now,
        })
      })
      return connection
    },

    list: () => stores.connections.list(),

    get: find,

    async update(id: string, changes: ConnectionChanges, actor: Actor): Promise<Connection> {
      checkCommon(changes)
      const current = await find(id)
      const updated: Connection = {
        ...current,
        ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
        ...(changes.iconUrl !== undefined
          ? { iconUrl: await checkUrl(changes.iconUrl, 'the icon URL', current.allowInsecureDevelopment) }
          : {}),
        ...(changes.clientId !== undefined ? { clientId: changes.clientId } : {}),
        // A key or a secret, never both: a new secret replaces the private key (private_key_jwt).
        ...(changes.clientSecret !== undefined
          ? { clientSecretSealed: deps.secretBox.seal(id, changes.clientSecret), privateKeySealed: null }
          : {}),
        ...(changes.scopes !== undefined ? { scopes: changes.scopes } : {}),
        ...(changes.applications !== undefined ? { applications: changes.applications } : {}),
        ...(changes.allowSignUp !== undefined ? { allowSignUp: changes.allowSignUp } : {}),
        ...(changes.allowedHosts !== undefined ? { allowedHosts: changes.allowedHosts.map((host) => host.toLowerCase()) } : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled } : {}),
        // Strictly later, so a discovery cached under the old settings is never reused.
        updatedAt: Math.max(clock.now(), current.updatedAt + 1),
      }
      if (updated.type === 'oidc' && !updated.scopes.includes('openid'))
        throw invalid('an OpenID Connect connection must ask for the openid scope')
      await transact(async (tx) => {
        if (!(await tx.connections.update(updated))) throw new TesseraError('connection_not_found')
        await tx.events.append({
          type: 'connection.updated',
          actor,
          userId: null,
          // Names of the changed settings only: the secret's value never reaches an event.
          payload: { connectionId: id, name: updated.name, changed: Object.keys(changes).sort() },
          ip: null,
          createdAt: clock.now(),
        })
      })
      deps.onChange?.(id)
      return updated
    },

    /** Deletes the connection; the identities linked through it go with it. */
    async delete(id: string, actor: Actor): Promise<void> {
      const current = await find(id)
      await transact(async (tx) => {
        if (!(await tx.connections.delete(id))) throw new TesseraError('connection_not_found')
        await tx.events.append({
          type: 'connection.deleted',
          actor,
          userId: null,
          payload: { connectionId: id, name: current.name },
          ip: null,
          createdAt: clock.now(),
        })
      })
      deps.onChange?.(id)
    },

    /**
     * Gives the connection a new ES256 key for `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9),
     * sealed at rest like a secret, in place of its client secret or former key. Returns the
     * public JWK to register at the upstream (also served at the connection's `jwksUri`).
     */
    async generateKey(id: string, actor: Actor): Promise<{ connection: Connection; publicJwk: JWK }> {
      const current = await find(id)
      const { privateKey } = await generateKeyPair('ES256', { extractable: true })
      const jwk = await exportJWK(privateKey)
      const kid = await calculateJwkThumbprint(jwk)
      const sealed = deps.secretBox.seal(id, JSON.stringify({ ...jwk, kid, alg: 'ES256', use: 'sig' }))
      const updated: Connection = {
        ...current,
        privateKeySealed: sealed,
        clientSecretSealed: null,
        updatedAt: Math.max(clock.now(), current.updatedAt + 1),
      }
      await transact(async (tx) => {
        if (!(await tx.connections.update(updated))) throw new TesseraError('connection_not_found')
        await tx.events.append({
          type: 'connection.updated',
          actor,
          userId: null,
          payload: { connectionId: id, name: updated.name, changed: ['privateKey'] },
          ip: null,
          createdAt: clock.now(),
        })
      })
      deps.onChange?.(id)
      return { connection: updated, publicJwk: publicPart(JSON.parse(deps.secretBox.open(id, sealed)) as JWK) }
    },

    /** The private key of `private_key_jwt`, unsealed, for the token request; null when the connection has none. */
    async privateKey(connection: Connection): Promise<{ key: CryptoKey; kid: string } | null> {
      if (connection.privateKeySealed === null) return null
      const jwk = JSON.parse(deps.secretBox.open(connection.id, connection.privateKeySealed)) as JWK
      return { key: (await importJWK(jwk, 'ES256')) as CryptoKey, kid: jwk.kid as string }
    },

    /** The public keys of the connection's `private_key_jwt` (RFC 7517 §5), never the private part. */
    publicJwks(connection: Connection): { keys: JWK[] } {
      if (connection.privateKeySealed === null) return { keys: [] }
      return { keys: [publicPart(JSON.parse(deps.secretBox.open(connection.id, connection.privateKeySealed)) as JWK)] }
    },

    /** The public view (no secret), with the redirect URI to register upstream. */
    present: (connection: Connection) => presentConnection(connection, deps.issuer),

    /** The client secret, unsealed, for the token request; null for a public client. */
    clientSecret(connection: Connection): string | null {
      return connection.clientSecretSealed === null ? null : deps.secretBox.open(connection.id, connection.clientSecretSealed)
    },
  }
}
