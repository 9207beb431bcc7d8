import type { Executor } from '../store/database.js'
import type { AuthorizationParameters } from './authorization-request.js'

/** An authorization request waiting for the user to sign in or consent. */
export interface PendingRequest {
  id: string
  clientId: string
  browserHash: string
  csrfHash: string
  params: AuthorizationParameters
  createdAt: number
  expiresAt: number
}

export interface PendingRequestStore {
  insert(request: PendingRequest): Promise<void>
  findById(id: string): Promise<PendingRequest | null>
  /** Deletes it; false when another request consumed it first. */
  delete(id: string): Promise<boolean>
  /** Drops expired requests; returns how many. */
  prune(now: number): Promise<number>
}

export function createPendingRequestStore(db: Executor): PendingRequestStore {
  return {
    async insert(request) {
      await db
        .insertInto('authorization_requests')
        .values({
          id: request.id,
          client_id: request.clientId,
          browser_hash: request.browserHash,
          csrf_hash: request.csrfHash,
          parameters: JSON.stringify(request.params),
          created_at: request.createdAt,
          expires_at: request.expiresAt,
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('authorization_requests').selectAll().where('id', '=', id).executeTakeFirst()
      if (!row) return null
      return {
        id: row.id,
        clientId: row.client_id,
        browserHash: row.browser_hash,
        csrfHash: row.csrf_hash,
        params: JSON.parse(row.parameters) as AuthorizationParameters,
        createdAt: Number(row.created_at),
        expiresAt: Number(row.expires_at),
      }
    },
    async delete(id) {
      const result = await db.deleteFrom('authorization_requests').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
    async prune(now) {
      const result = await db.deleteFrom('authorization_requests').where('expires_at', '<=', now).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
