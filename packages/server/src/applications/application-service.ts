import { isScopeToken } from '../apis/api.js'
import type { ApiStore } from '../apis/api-store.js'
import type { Actor, EventOutbox } from '../events/event-outbox.js'
import type { RevocationLog } from '../revocation/revocation-log.js'
import type { Clock } from '../shared/clock.js'
import { sha256 } from '../shared/digest.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import {
  APPLICATION_TYPES,
  type Application,
  type ApplicationType,
  GRANT_TYPES,
  GRANTS_BY_TYPE,
  type GrantType,
  isConfidential,
} from './application.js'
import { createSecretMatcher } from './application-secret.js'
import type { ApplicationStore } from './application-store.js'
import { checkBackchannelLogoutUri } from './backchannel-logout-uri.js'
import { checkRedirectUri } from './redirect-uri.js'
import { checkWebOrigins } from './web-origin.js'

/** The stores the application service works on; `apis` is read to check an application's APIs exist. */
export interface ApplicationServiceStores {
  applications: ApplicationStore
  apis: ApiStore
  revocations: RevocationLog
  events: EventOutbox
}

export interface BuiltInApplications {
  isBuiltIn(clientId: string): boolean
  resolve(application: Application): Application
}

export interface ApplicationServiceDeps {
  /** Reads outside a transaction. */
  stores: Pick<ApplicationServiceStores, 'applications' | 'apis'>
  transact: Transact<ApplicationServiceStores>
  clock: Clock
  random: RandomSource
  revocationRetentionMs: number
  /**
   * The applications Tessera defines itself (today the admin console's client): they cannot be
   * changed, rotated or deleted, and `resolve` completes what only the running configuration knows
   * (the console's URIs, derived from the issuer). The composition root supplies it from
   * console/console-client.ts, so applications/ does not depend on console/.
   */
  builtIn: BuiltInApplications
}

export interface NewApplication {
  name: string
  type: ApplicationType
  grants?: string[]
  redirectUris?: string[]
  apis?: string[]
  scopes?: string[]
  accessTokenTtl?: number
  refreshTokenTtl?: number
  /** Skips the consent screen (an application of the same organisation as Tessera). */
  firstParty?: boolean
  postLogoutRedirectUris?: string[]
  /** Web origins allowed to call the token endpoints from a page; by default a SPA's redirect URI origins. */
  webOrigins?: string[]
  backchannelLogoutUri?: string
  backchannelLogoutSessionRequired?: boolean
  /** Refuse authorization requests that were not pushed first (RFC 9126 §6). */
  requirePushedAuthorizationRequests?: boolean
  /** Every user signing in to it must pass a second factor (docs/mfa.md). */
  requireMfa?: boolean
}

/** What an update may change; `null` for a TTL removes the override. */
export interface ApplicationChanges {
  name?: string
  grants?: string[]
  redirectUris?: string[]
  apis?: string[]
  scopes?: string[]
  accessTokenTtl?: number | null
  refreshTokenTtl?: number | null
  firstParty?: boolean
  postLogoutRedirectUris?: string[]
  /** `null` returns to the default web origins. */
  webOrigins?: string[] | null
  /** `null` removes it. */
  backchannelLogoutUri?: string | null
  backchannelLogoutSessionRequired?: boolean
  requirePushedAuthorizationRequests?: boolean
  /** Every user signing in to it must pass a second factor (docs/mfa.md). */
  requireMfa?: boolean
}

export type ApplicationService = ReturnType<typeof createApplicationService>

/** Client secrets: 256 random bits. Being random, they need no slow hash: SHA-256 suffices. */
const SECRET_BYTES = 32

/**
 * Accepts the grant-type names of RFC 6749, RFC 8693 and RFC 8628, and `token_exchange` and
 * `device_code` as short forms.
 */
export function parseGrant(value: string): GrantType | null {
  if (value === 'token_exchange') return GRANT_TYPES.token_exchange
  if (value === 'device_code') return GRANT_TYPES.device_code
  return (Object.values(GRANT_TYPES) as string[]).includes(value) ? (value as GrantType) : null
}

export function createApplicationService(deps: ApplicationServiceDeps) {
  const { stores, transact, clock, random } = deps
  const resolve = (application: Application) => deps.builtIn.resolve(application)
  const secretMatches = createSecretMatcher()

  /** The built-in console client cannot be edited into something else, rotated or deleted. */
  function refuseBuiltIn(clientId: string): void {
    if (deps.builtIn.isBuiltIn(clientId)) throw new TesseraError('builtin_protected')
  }

  return {
    /** Registers a client; the secret (confidential types only) is returned once and never again. */
    async create(input: NewApplication, actor: Actor): Promise<{ application: Application; clientSecret: string | null }> {
      return transact((tx) => this.createIn(tx, input, actor))
    },

    /** `create` inside the caller's transaction (bootstrap creates its admin client and role together). */
    async createIn(
      tx: Pick<ApplicationServiceStores, 'applications' | 'apis' | 'events'>,
      input: NewApplication,
      actor: Actor,
    ): Promise<{ application: Application; clientSecret: string | null }> {
      const fields = checkFields(input.type, {
        name: input.name,
        grants: input.grants ?? defaultGrants(input.type),
        redirectUris: input.redirectUris ?? [],
        apis: input.apis ?? [],
        scopes: input.scopes ?? [],
        accessTokenTtl: input.accessTokenTtl ?? null,
        refreshTokenTtl: input.refreshTokenTtl ?? null,
        firstParty: input.firstParty ?? false,
        postLogoutRedirectUris: input.postLogoutRedirectUris ?? [],
        webOrigins: input.webOrigins ?? null,
        backchannelLogoutUri: input.backchannelLogoutUri ?? null,
        backchannelLogoutSessionRequired: input.backchannelLogoutSessionRequired ?? false,
        requirePushedAuthorizationRequests: input.requirePushedAuthorizationRequests ?? false,
        requireMfa: input.requireMfa ?? false,
      })
      const secret = isConfidential(input.type) ? randomToken(random, SECRET_BYTES) : null
      const now = clock.now()
      const application: Application = {
        id: randomToken(random, 16),
        type: input.type,
        secretHash: secret ? sha256(secret) : null,
        ...fields,
        createdAt: now,
        updatedAt: now,
      }
      await requireApis(tx, fields.apis)
      await tx.applications.insert(application)
      await tx.events.append({
        type: 'application.created',
        actor,
        userId: null,
        payload: { clientId: application.id, type: application.type },
        ip: null,
        createdAt: now,
      })
      return { application, clientSecret: secret }
    },

    /** Changes a client's settings under the same rules as at registration; its type and secret stay. */
    async update(clientId: string, changes: ApplicationChanges, actor: Actor): Promise<Application> {
      refuseBuiltIn(clientId)
      return transact(async (tx) => {
        const current = await tx.applications.findById(clientId)
        if (!current) throw new TesseraError('application_not_found')
        const fields = checkFields(current.type, {
          name: changes.name ?? current.name,
          grants: changes.grants ?? current.grants,
          redirectUris: changes.redirectUris ?? current.redirectUris,
          apis: changes.apis ?? current.apis,
          scopes: changes.scopes ?? current.scopes,
          accessTokenTtl: changes.accessTokenTtl !== undefined ? changes.accessTokenTtl : current.accessTokenTtl,
          refreshTokenTtl: changes.refreshTokenTtl !== undefined ? changes.refreshTokenTtl : current.refreshTokenTtl,
          firstParty: changes.firstParty ?? current.firstParty,
          postLogoutRedirectUris: changes.postLogoutRedirectUris ?? current.postLogoutRedirectUris,
          webOrigins: changes.webOrigins !== undefined ? changes.webOrigins : current.webOrigins,
          backchannelLogoutUri: changes.backchannelLogoutUri !== undefined ? changes.backchannelLogoutUri : current.backchannelLogoutUri,
          backchannelLogoutSessionRequired: changes.backchannelLogoutSessionRequired ?? current.backchannelLogoutSessionRequired,
          requirePushedAuthorizationRequests: changes.requirePushedAuthorizationRequests ?? current.requirePushedAuthorizationRequests,
          requireMfa: changes.requireMfa ?? current.requireMfa,
        })
        await requireApis(tx, fields.apis)
        const now = clock.now()
        const updated: Application = { ...current, ...fields, updatedAt: now }
        await tx.applications.update(updated)
        await tx.events.append({
          type: 'application.updated',
          actor,
          userId: null,
          payload: { clientId, fields: Object.keys(changes).sort() },
          ip: null,
          createdAt: now,
        })
        return updated
      })
    },

    async get(clientId: string): Promise<Application> {
      const application = await stores.applications.findById(clientId)
      if (!application) throw new TesseraError('application_not_found')
      return resolve(application)
    },

    async find(clientId: string): Promise<Application | null> {
      const application = await stores.applications.findById(clientId)
      return application ? resolve(application) : null
    },

    async list(): Promise<Application[]> {
      return (await stores.applications.list()).map(resolve)
    },

    /** Replaces the secret at once; the old one stops working immediately. */
    async rotateSecret(clientId: string, actor: Actor): Promise<string> {
      refuseBuiltIn(clientId)
      const secret = randomToken(random, SECRET_BYTES)
      await transact(async (tx) => {
        const application = await tx.applications.findById(clientId)
        if (!application) throw new TesseraError('application_not_found')
        if (!isConfidential(application.type)) throw new TesseraError('invalid_request', { detail: 'public applications have no secret' })
        const now = clock.now()
        await tx.applications.setSecretHash(clientId, sha256(secret), now)
        await tx.events.append({ type: 'application.secret_rotated', actor, userId: null, payload: { clientId }, ip: null, createdAt: now })
      })
      return secret
    },

    /**
     * Deletes a client. Its refresh tokens go with it, and a client cut-off entry in the
     * revocation log tells resource servers that its access tokens are dead.
     */
    async delete(clientId: string, actor: Actor): Promise<void> {
      refuseBuiltIn(clientId)
      await transact(async (tx) => {
        if (!(await tx.applications.delete(clientId))) throw new TesseraError('application_not_found')
        const now = clock.now()
        await tx.revocations.append({ kind: 'client', clientId }, now, now + deps.revocationRetentionMs)
        await tx.events.append({ type: 'application.deleted', actor, userId: null, payload: { clientId }, ip: null, createdAt: now })
      })
    },

    /** Compares a presented secret with the stored digest in constant time (applications/application-secret.ts). */
    secretMatches(application: Application, secret: string): boolean {
      return secretMatches(application, secret)
    },
  }
}

type ApplicationFields = Pick<
  Application,
  | 'name'
  | 'grants'
  | 'redirectUris'
  | 'apis'
  | 'scopes'
  | 'accessTokenTtl'
  | 'refreshTokenTtl'
  | 'firstParty'
  | 'postLogoutRedirectUris'
  | 'webOrigins'
  | 'backchannelLogoutUri'
  | 'backchannelLogoutSessionRequired'
  | 'requirePushedAuthorizationRequests'
  | 'requireMfa'
>

/** The registration rules, for a new client and for a change alike. */
function checkFields(type: ApplicationType, input: Omit<ApplicationFields, 'grants'> & { grants: string[] }): ApplicationFields {
  if (!(APPLICATION_TYPES as readonly string[]).includes(type)) {
    throw new TesseraError('invalid_request', { detail: `type must be one of ${APPLICATION_TYPES.join(', ')}` })
  }
  const name = input.name.trim()
  if (name.length === 0 || name.length > 200) throw new TesseraError('invalid_request', { detail: 'name must be 1 to 200 characters' })
  const grants = input.grants.map((grant) => {
    const parsed = parseGrant(grant)
    if (!parsed) throw new TesseraError('invalid_request', { detail: `unknown grant type: ${grant.slice(0, 80)}` })
    if (!GRANTS_BY_TYPE[type].includes(parsed)) {
      throw new TesseraError('invalid_request', { detail: `a ${type} application cannot use ${parsed}` })
    }
    return parsed
  })
  const redirectUris = input.redirectUris.map((uri) => checkRedirectUri(uri, type))
  // OIDC RP-Initiated Logout 1.0 §3.1: registered like redirect URIs, and matched as exactly.
  const postLogoutRedirectUris = [...new Set(input.postLogoutRedirectUris.map((uri) => checkRedirectUri(uri, type)))]
  const apis = [...new Set(input.apis)]
  if (type === 'resource-server' && apis.length !== 1) {
    throw new TesseraError('invalid_request', { detail: 'a resource-server application belongs to exactly one API (--api)' })
  }
  const scopes = [...new Set(input.scopes)]
  if (scopes.some((scope) => !isScopeToken(scope))) throw new TesseraError('invalid_request', { detail: 'not a valid scope name' })
  for (const ttl of [input.accessTokenTtl, input.refreshTokenTtl]) {
    if (ttl !== null && (!Number.isInteger(ttl) || ttl < 30))
      throw new TesseraError('invalid_request', { detail: 'TTLs are whole seconds, at least 30' })
  }
  return {
    name,
    grants: [...new Set(grants)],
    redirectUris,
    apis,
    scopes,
    accessTokenTtl: input.accessTokenTtl,
    refreshTokenTtl: input.refreshTokenTtl,
    firstParty: input.firstParty,
    postLogoutRedirectUris,
    webOrigins: input.webOrigins === null ? null : checkWebOrigins(input.webOrigins, type),
    backchannelLogoutUri: input.backchannelLogoutUri === null ? null : checkBackchannelLogoutUri(input.backchannelLogoutUri, type),
    backchannelLogoutSessionRequired: input.backchannelLogoutSessionRequired,
    requirePushedAuthorizationRequests: input.requirePushedAuthorizationRequests,
    requireMfa: input.requireMfa,
  }
}

async function requireApis(tx: Pick<ApplicationServiceStores, 'apis'>, identifiers: string[]): Promise<void> {
  for (const identifier of identifiers) {
    const api = await tx.apis.findByIdentifier(identifier)
    if (!api) throw new TesseraError('api_not_found', { detail: `no API with identifier ${identifier.slice(0, 200)}` })
  }
}

function defaultGrants(type: ApplicationType): GrantType[] {
  if (type === 'm2m') return [GRANT_TYPES.client_credentials]
  if (type === 'resource-server') return []
  return [GRANT_TYPES.authorization_code, GRANT_TYPES.refresh_token]
}
