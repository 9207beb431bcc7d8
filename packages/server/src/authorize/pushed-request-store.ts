import type { Executor } from '../store/database.js'

/** A pushed authorization request as stored: the parameters, for one client, until it expires or is used. */
export interface PushedRequest {
  /** SHA-256 of the random part of the `request_uri`. */
  id: string
  clientId: string
  parameters: Record<string, string[]>
  createdAt: number
  expiresAt: number
}

/** RFC 9126 requests between `/oauth/par` and their one use at `/oauth/authorize`. */
export interface PushedRequestStore {
  insert(request: PushedRequest): Promise<void>
  /**
   * Takes the request for this client if it is live, deleting it in the same statement's effect,
   * so of two concurrent uses one gets it and the other null (single use, RFC 9126 §4).
   */
  consume(id: string, clientId: string, now: number): Promise<PushedRequest | null>
  /** Deletes the expired ones; returns how many (for the housekeeping runner). */
  prune(now: number): Promise<number>
}

export function createPushedRequestStore(db: Executor): PushedRequestStore {
  return {
    async insert(request) {
      await db
        .insertInto('pushed_authorization_requests')
        .values({
          id: request.id,
          client_id: request.clientId,
          parameters: JSON.stringify(request.parameters),
          created_at: request.createdAt,
          expires_at: request.expiresAt,
        })
        .execute()
    },
    async consume(id, clientId, now) {
      const row = await db.selectFrom('pushed_authorization_requests').selectAll().where('id', '=', id).executeTakeFirst()
      if (!row) return null
      // Whatever happens next, a reference that was presented is spent: a wrong client or an
      // expired request deletes it too.
      const deleted = await db.deleteFrom('pushed_authorization_requests').where('id', '=', id).executeTakeFirst()
      if (Number(deleted.numDeletedRows) !== 1) return null
      if (row.client_id !== clientId || now >= Number(row.expires_at)) return null
      return {
        id: row.id,
        clientId: row.client_id,
        parameters: JSON.parse(row.parameters),
        createdAt: Number(row.created_at),
        expiresAt: Number(row.expires_at),
      }
    },
    async prune(now) {
      const result = await db.deleteFrom('pushed_authorization_requests').where('expires_at', '<=', now).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}
