import type { Selectable } from 'kysely'
import type { ApisTable, Executor } from '../store/database.js'
import type { Api } from './api.js'
import { parseStoredEncryptionJwk } from './api-encryption-key.js'

export interface ApiStore {
  insert(api: Api): Promise<void>
  findByIdentifier(identifier: string): Promise<Api | null>
  findById(id: string): Promise<Api | null>
  /** Writes name, mode, TTL, scopes, flags and the encryption key. */
  update(api: Api): Promise<boolean>
  list(): Promise<Api[]>
  delete(identifier: string): Promise<boolean>
  setRolesClaim(identifier: string, on: boolean, now: number): Promise<boolean>
}

export function createApiStore(db: Executor): ApiStore {
  return {
    async insert(api) {
      await db
        .insertInto('apis')
        .values({
          id: api.id,
          identifier: api.identifier,
          name: api.name,
          mode: api.mode,
          access_token_ttl: api.accessTokenTtl,
          scopes: JSON.stringify(api.scopes),
          roles_claim: api.rolesClaim ? 1 : 0,
          require_dpop: api.requireDpop ? 1 : 0,
          encryption_key: api.encryptionKey ? JSON.stringify(api.encryptionKey) : null,
          created_at: api.createdAt,
          updated_at: api.updatedAt,
        })
        .execute()
    },
    async findByIdentifier(identifier) {
      const row = await db.selectFrom('apis').selectAll().where('identifier', '=', identifier).executeTakeFirst()
      return row ? toApi(row) : null
    },
    async findById(id) {
      const row = await db.selectFrom('apis').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toApi(row) : null
    },
    async update(api) {
      const result = await db
        .updateTable('apis')
        .set({
          name: api.name,
          mode: api.mode,
          access_token_ttl: api.accessTokenTtl,
          scopes: JSON.stringify(api.scopes),
          roles_claim: api.rolesClaim ? 1 : 0,
          require_dpop: api.requireDpop ? 1 : 0,
          encryption_key: api.encryptionKey ? JSON.stringify(api.encryptionKey) : null,
          updated_at: api.updatedAt,
        })
        .where('id', '=', api.id)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async list() {
      return (await db.selectFrom('apis').selectAll().orderBy('created_at').orderBy('id').execute()).map(toApi)
    },
    async setRolesClaim(identifier, on, now) {
      const result = await db
        .updateTable('apis')
        .set({ roles_claim: on ? 1 : 0, updated_at: now })
        .where('identifier', '=', identifier)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async delete(identifier) {
      const result = await db.deleteFrom('apis').where('identifier', '=', identifier).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
  }
}

function toApi(row: Selectable<ApisTable>): Api {
  return {
    id: row.id,
    identifier: row.identifier,
    name: row.name,
    mode: row.mode,
    accessTokenTtl: row.access_token_ttl,
    scopes: JSON.parse(row.scopes),
    rolesClaim: Number(row.roles_claim) === 1,
    requireDpop: Number(row.require_dpop) === 1,
    encryptionKey: parseStoredEncryptionJwk(row.encryption_key),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
