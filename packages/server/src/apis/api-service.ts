import type { Actor } from '../events/event-outbox.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Stores, Transact } from '../store/stores.js'
import { type Api, DEFAULT_TTL_BY_MODE, isResourceIdentifier, isScopeToken, type VerificationMode } from './api.js'

export interface ApiServiceDeps {
  stores: Pick<Stores, 'apis'>
  transact: Transact
  clock: Clock
  random: RandomSource
  /** tokens.maxAccessTokenTtl, in seconds. */
  maxAccessTokenTtl: number
}

export interface NewApi {
  identifier: string
  name: string
  mode: VerificationMode
  scopes: string[]
  accessTokenTtl?: number
  /** Put a `roles` claim in its access tokens (default false). */
  rolesClaim?: boolean
}

export type ApiService = ReturnType<typeof createApiService>

export function createApiService(deps: ApiServiceDeps) {
  const { stores, transact, clock } = deps
  return {
    async create(input: NewApi, actor: Actor): Promise<Api> {
      if (!isResourceIdentifier(input.identifier)) {
        throw new TesseraError('invalid_request', { detail: 'identifier must be an absolute URI without a fragment (RFC 8707 §2)' })
      }
      const name = input.name.trim()
      if (name.length === 0 || name.length > 200) throw new TesseraError('invalid_request', { detail: 'name must be 1 to 200 characters' })
      const bad = input.scopes.find((scope) => !isScopeToken(scope))
      if (bad !== undefined)
        throw new TesseraError('invalid_request', { detail: `not a valid scope name: ${JSON.stringify(bad).slice(0, 80)}` })
      const ttl = input.accessTokenTtl ?? Math.min(DEFAULT_TTL_BY_MODE[input.mode], deps.maxAccessTokenTtl)
      if (!Number.isInteger(ttl) || ttl < 30 || ttl > deps.maxAccessTokenTtl) {
        throw new TesseraError('invalid_request', {
          detail: `accessTokenTtl must be 30 to ${deps.maxAccessTokenTtl} seconds (tokens.maxAccessTokenTtl)`,
        })
      }
      const now = clock.now()
      const api: Api = {
        id: `api_${randomToken(deps.random, 12)}`,
        identifier: input.identifier,
        name,
        mode: input.mode,
        accessTokenTtl: ttl,
        scopes: [...new Set(input.scopes)],
        rolesClaim: input.rolesClaim ?? false,
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
          payload: { identifier: api.identifier, mode: api.mode },
          ip: null,
          createdAt: now,
        })
        return api
      })
    },

    async get(identifier: string): Promise<Api> {
      const api = await stores.apis.findByIdentifier(identifier)
      if (!api) throw new TesseraError('api_not_found')
      return api
    },

    find(identifier: string): Promise<Api | null> {
      return stores.apis.findByIdentifier(identifier)
    },

    list(): Promise<Api[]> {
      return stores.apis.list()
    },

    /** Turns the `roles` claim of the API's access tokens on or off; tokens already issued keep what they carry. */
    async setRolesClaim(identifier: string, on: boolean, actor: Actor): Promise<Api> {
      return transact(async (tx) => {
        const now = clock.now()
        if (!(await tx.apis.setRolesClaim(identifier, on, now))) throw new TesseraError('api_not_found')
        await tx.events.append({
          type: 'api.updated',
          actor,
          userId: null,
          payload: { identifier, rolesClaim: on },
          ip: null,
          createdAt: now,
        })
        return (await tx.apis.findByIdentifier(identifier)) as Api
      })
    },

    async delete(identifier: string, actor: Actor): Promise<void> {
      await transact(async (tx) => {
        if (!(await tx.apis.delete(identifier))) throw new TesseraError('api_not_found')
        await tx.events.append({ type: 'api.deleted', actor, userId: null, payload: { identifier }, ip: null, createdAt: clock.now() })
      })
    },
  }
}
