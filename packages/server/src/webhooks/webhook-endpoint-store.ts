import type { Selectable } from 'kysely'
import type { Executor, WebhookEndpointsTable } from '../store/database.js'
import type { WebhookEndpoint } from './webhook-endpoint.js'
import type { WebhookEventType } from './webhook-event-types.js'

export interface WebhookEndpointStore {
  insert(endpoint: WebhookEndpoint): Promise<void>
  findById(id: string): Promise<WebhookEndpoint | null>
  list(): Promise<WebhookEndpoint[]>
  /** Moves the cursor from `from` to `to`; false when another dispatcher moved it first. */
  advanceCursor(id: string, from: number, to: number, now: number): Promise<boolean>
  replaceSecret(id: string, sealed: string, previous: { sealed: string; expiresAt: number } | null, now: number): Promise<boolean>
  setEventTypes(id: string, eventTypes: string[], now: number): Promise<boolean>
  delete(id: string): Promise<boolean>
}

export function createWebhookEndpointStore(db: Executor): WebhookEndpointStore {
  return {
    async insert(endpoint) {
      await db
        .insertInto('webhook_endpoints')
        .values({
          id: endpoint.id,
          url: endpoint.url,
          event_types: JSON.stringify(endpoint.eventTypes),
          allow_insecure_development: endpoint.allowInsecureDevelopment ? 1 : 0,
          encrypted_secret: endpoint.sealedSecret,
          previous_encrypted_secret: endpoint.previousSealedSecret,
          previous_secret_expires_at: endpoint.previousSecretExpiresAt,
          outbox_cursor: endpoint.outboxCursor,
          created_at: endpoint.createdAt,
          updated_at: endpoint.updatedAt,
        })
        .execute()
    },
    async findById(id) {
      const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toEndpoint(row) : null
    },
    async list() {
      return (await db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id').execute()).map(toEndpoint)
    },
    async advanceCursor(id, from, to, now) {
      const result = await db
        .updateTable('webhook_endpoints')
        .set({ outbox_cursor: to, updated_at: now })
        .where('id', '=', id)
        .where('outbox_cursor', '=', from)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async replaceSecret(id, sealed, previous, now) {
      const result = await db
        .updateTable('webhook_endpoints')
        .set({
          encrypted_secret: sealed,
          previous_encrypted_secret: previous?.sealed ?? null,
          previous_secret_expires_at: previous?.expiresAt ?? null,
          updated_at: now,
        })
        .where('id', '=', id)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async setEventTypes(id, eventTypes, now) {
      const result = await db
        .updateTable('webhook_endpoints')
        .set({ event_types: JSON.stringify(eventTypes), updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },
    async delete(id) {
      const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
  }
}

function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    eventTypes: JSON.parse(row.event_types) as WebhookEventType[],
    allowInsecureDevelopment: row.allow_insecure_development === 1,
    sealedSecret: row.encrypted_secret,
    previousSealedSecret: row.previous_encrypted_secret,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    outboxCursor: row.outbox_cursor,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
