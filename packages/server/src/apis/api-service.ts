import type { JWK } from 'jose'
import type { Actor, EventOutbox } from '../events/event-outbox.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { type Api, isResourceIdentifier, type VerificationMode } from './api.js'
import { checkPublicEncryptionJwk, type EncryptionJwk, type EncryptionKeyRequest, generateEncryptionKeyPair } from './api-encryption-key.js'
import { checkApiName, checkEncryptable, checkMode, checkScopes, checkTtl } from './api-rules.js'
import type { ApiStore } from './api-store.js'
import { isBuiltInApi } from './built-in-api.js'

/** The stores the API service works on: its own, and the outbox for its events. */
export interface ApiServiceStores {
  apis: ApiStore
  events: EventOutbox
}

export interface ApiServiceDeps<Tx extends ApiServiceStores = ApiServiceStores> {
  /** Reads outside a transaction. */
  stores: Pick<ApiServiceStores, 'apis'>
  transact: Transact<Tx>
  clock: Clock
  random: RandomSource
  /** tokens.maxAccessTokenTtl, in seconds. */
  maxAccessTokenTtl: number
  /**
   * Runs in the transaction that deletes an API: the composition root revokes its live tokens
   * there (tokens/api-token-cut-off.ts), so `apis/` need not know about tokens.
   */
  onDeleted?: (tx: Tx, identifier: string, now: number) => Promise<unknown>
}

export interface NewApi {
  identifier: string
  name: string
  mode: VerificationMode
  scopes: string[]
  accessTokenTtl?: number
  /** Put a `roles` claim in its access tokens (default false). */
  rolesClaim?: boolean
  /** Issue it DPoP-bound tokens only (RFC 9449). */
  requireDpop?: boolean
  /** Encrypt its access tokens (issue 16 part 7): to a key pair made here, or to the API's own public key. */
  encryption?: EncryptionKeyRequest
}

/** An API with the private half of a key pair Tessera just made for it, to be shown once and never again. */
export interface RegisteredApi {
  api: Api
  privateJwk: JWK | null
}

/** What an update may change; the identifier (the tokens' audience) never changes. */
export interface ApiChanges {
  name?: string
  mode?: VerificationMode
  accessTokenTtl?: number
  /** Put a `roles` claim in its access tokens; tokens already issued keep what they carry. */
  rolesClaim?: boolean
  requireDpop?: boolean
}

export type ApiService = ReturnType<typeof createApiService<ApiServiceStores>>

export function createApiService<Tx extends ApiServiceStores = ApiServiceStores>(deps: ApiServiceDeps<Tx>) {
  const { stores, transact, clock } = deps

  /** The public key to store, and the private half only when Tessera made the pair (never stored). */
  async function resolveKey(request: EncryptionKeyRequest): Promise<{ publicJwk: EncryptionJwk; privateJwk: JWK | null }> {
    if (typeof request !== 'object' || request === null) throw new TesseraError('invalid_request', { detail: 'no encryption key given' })
    if ('generate' in request) return generateEncryptionKeyPair(request.generate)
    return { publicJwk: await checkPublicEncryptionJwk(request.publicJwk), privateJwk: null }
  }

  async function register(input: NewApi, actor: Actor): Promise<RegisteredApi> {
    if (!isResourceIdentifier(input.identifier)) {
      throw new TesseraError('invalid_request', { detail: 'identifier must be an absolute URI without a fragment (RFC 8707 §2)' })
    }
    const mode = checkMode(input.mode)
    if (input.encryption) checkEncryptable(mode)
    const key = input.encryption ? await resolveKey(input.encryption) : null
    const now = clock.now()
    const api: Api = {
      id: `api_${randomToken(deps.random, 12)}`,
      identifier: input.identifier,
      name: checkApiName(input.name),
      mode,
      accessTokenTtl: checkTtl(input.accessTokenTtl, mode, deps.maxAccessTokenTtl),
      scopes: checkScopes(input.scopes),
      rolesClaim: input.rolesClaim ?? false,
      requireDpop: input.requireDpop ?? false,
      encryptionKey: key?.publicJwk ?? null,
      createdAt: now,
      updatedAt: now,
    }
    return transact(async (tx) => {
      if (await tx.apis.findByIdentifier(api.identifier)) throw new TesseraError('api_exists')
      await tx.apis.insert(api)
      await tx.events.append({
        type: 'api.created',
        actor,
        userId: null,
        payload: { identifier: api.identifier, mode: api.mode, ...(key ? { encryptionKid: key.publicJwk.kid } : {}) },
        ip: null,
        createdAt: now,
      })
      return { api, privateJwk: key?.privateJwk ?? null }
    })
  }

  /** Reads, checks and rewrites one API in a transaction; the built-in admin API is never changed. */
  async function change(id: string, actor: Actor, edit: (api: Api) => Api, payload: Record<string, unknown>): Promise<Api> {
    return transact(async (tx) => {
      const api = await tx.apis.findById(id)
      if (!api) throw new TesseraError('api_not_found')
      if (isBuiltInApi(api.identifier)) throw new TesseraError('builtin_protected')
      const now = clock.now()
      const updated = { ...edit(api), updatedAt: now }
      await tx.apis.update(updated)
      await tx.events.append({
        type: 'api.updated',
        actor,
        userId: null,
        payload: { identifier: api.identifier, ...payload },
        ip: null,
        createdAt: now,
      })
      return updated
    })
  }

  return {
    /** Registers an API; see `register` for one that asks Tessera for an encryption key pair. */
    async create(input: NewApi, actor: Actor): Promise<Api> {
      return (await register(input, actor)).api
    },

    /** Registers an API and returns the private half of its encryption key pair when Tessera made one (once). */
    register,

    async get(identifier: string): Promise<Api> {
      const api = await stores.apis.findByIdentifier(identifier)
      if (!api) throw new TesseraError('api_not_found')
      return api
    },

    async getById(id: string): Promise<Api> {
      const api = await stores.apis.findById(id)
      if (!api) throw new TesseraError('api_not_found')
      return api
    },

    find(identifier: string): Promise<Api | null> {
      return stores.apis.findByIdentifier(identifier)
    },

    list(): Promise<Api[]> {
      return stores.apis.list()
    },

    update(id: string, changes: ApiChanges, actor: Actor): Promise<Api> {
      return change(
        id,
        actor,
        (api) => {
          const mode = changes.mode === undefined ? api.mode : checkMode(changes.mode)
          // Session-mode tokens are opaque: there would be nothing to encrypt.
          if (api.encryptionKey) checkEncryptable(mode)
          return {
            ...api,
            name: changes.name === undefined ? api.name : checkApiName(changes.name),
            mode,
            accessTokenTtl:
              changes.accessTokenTtl === undefined ? api.accessTokenTtl : checkTtl(changes.accessTokenTtl, mode, deps.maxAccessTokenTtl),
            rolesClaim: changes.rolesClaim ?? api.rolesClaim,
            requireDpop: changes.requireDpop ?? api.requireDpop ?? false,
          }
        },
        { fields: Object.keys(changes).sort() },
      )
    },

    /** Adds permissions (scopes) the API defines; adding one it has is a no-op. */
    addPermissions(id: string, permissions: string[], actor: Actor): Promise<Api> {
      const added = checkScopes(permissions)
      return change(id, actor, (api) => ({ ...api, scopes: [...new Set([...api.scopes, ...added])] }), { added })
    },

    /** Removes a permission; an unknown one is `not_found`. */
    removePermission(id: string, permission: string, actor: Actor): Promise<Api> {
      return change(
        id,
        actor,
        (api) => {
          if (!api.scopes.includes(permission)) throw new TesseraError('not_found', { detail: 'the API has no such permission' })
          return { ...api, scopes: api.scopes.filter((scope) => scope !== permission) }
        },
        { removed: [permission] },
      )
    },

    /** Turns the `roles` claim of the API's access tokens on or off; tokens already issued keep what they carry. */
    async setRolesClaim(identifier: string, on: boolean, actor: Actor): Promise<Api> {
      const api = await stores.apis.findByIdentifier(identifier)
      if (!api) throw new TesseraError('api_not_found')
      return change(api.id, actor, (current) => ({ ...current, rolesClaim: on }), { rolesClaim: on })
    },

    /**
     * Sets, rotates (a new key replaces the old one) or removes (null) the key an API's access
     * tokens are encrypted to. Tokens already issued stay encrypted to the key they were issued
     * with, so a resource server keeps the old private key until they expire (docs/tokens.md).
     */
    async setEncryptionKey(id: string, request: EncryptionKeyRequest | null, actor: Actor): Promise<RegisteredApi> {
      const key = request === null ? null : await resolveKey(request)
      const api = await change(
        id,
        actor,
        (current) => {
          if (key) checkEncryptable(current.mode)
          return { ...current, encryptionKey: key?.publicJwk ?? null }
        },
        { fields: ['encryptionKey'], encryptionKid: key?.publicJwk.kid ?? null },
      )
      return { api, privateJwk: key?.privateJwk ?? null }
    },

    async delete(identifier: string, actor: Actor): Promise<void> {
      if (isBuiltInApi(identifier)) throw new TesseraError('builtin_protected')
      await transact(async (tx) => {
        if (!(await tx.apis.delete(identifier))) throw new TesseraError('api_not_found')
        const now = clock.now()
        await deps.onDeleted?.(tx, identifier, now)
        await tx.events.append({ type: 'api.deleted', actor, userId: null, payload: { identifier }, ip: null, createdAt: now })
      })
    },
  }
}
