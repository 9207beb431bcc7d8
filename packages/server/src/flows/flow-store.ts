import type { Selectable } from 'kysely'
import type { Executor, FlowsTable } from '../store/database.js'
import type { Flow, FlowContext, FlowType, StepDone, StepName } from './flow.js'

/** Where flows live: one row each, written with optimistic concurrency on `version`. */
export interface FlowStore {
  insert(flow: Flow): Promise<void>
  findById(id: string): Promise<Flow | null>
  /** Writes `flow` if the stored one still has `version` (the one it was read at); false otherwise. */
  update(flow: Flow, version: number): Promise<boolean>
  /** Deletes the flow if it still has `version`; false when it changed or is gone (a replay, a race). */
  delete(id: string, version: number): Promise<boolean>
  /** Drops flows that expired at or before `now`; returns how many. */
  prune(now: number): Promise<number>
}

export function createFlowStore(db: Executor): FlowStore {
  return {
    async insert(flow) {
      await db.insertInto('flows').values(toRow(flow)).execute()
    },
    async findById(id) {
      const row = await db.selectFrom('flows').selectAll().where('id', '=', id).executeTakeFirst()
      return row ? toFlow(row) : null
    },
    async update(flow, version) {
      const { id: _id, created_at: _created, ...values } = toRow(flow)
      const result = await db.updateTable('flows').set(values).where('id', '=', flow.id).where('version', '=', version).executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async delete(id, version) {
      const result = await db.deleteFrom('flows').where('id', '=', id).where('version', '=', version).executeTakeFirst()
      return Number(result.numDeletedRows) === 1
    },
    async prune(now) {
      const result = await db.deleteFrom('flows').where('expires_at', '<=', now).executeTakeFirst()
      return Number(result.numDeletedRows)
    },
  }
}

function toRow(flow: Flow): FlowsTable {
  return {
    id: flow.id,
    type: flow.type,
    binding_hash: flow.bindingHash,
    csrf_hash: flow.csrfHash,
    next_steps: JSON.stringify(flow.next),
    steps_done: JSON.stringify(flow.done),
    user_id: flow.userId,
    session_id: flow.sessionId,
    client_id: flow.clientId,
    context: JSON.stringify(flow.context),
    version: flow.version,
    created_at: flow.createdAt,
    updated_at: flow.updatedAt,
    expires_at: flow.expiresAt,
  }
}

function toFlow(row: Selectable<FlowsTable>): Flow {
  return {
    id: row.id,
    type: row.type as FlowType,
    bindingHash: row.binding_hash,
    csrfHash: row.csrf_hash,
    next: JSON.parse(row.next_steps) as StepName[],
    done: JSON.parse(row.steps_done) as StepDone[],
    userId: row.user_id,
    sessionId: row.session_id,
    clientId: row.client_id,
    context: JSON.parse(row.context) as FlowContext,
    version: Number(row.version),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    expiresAt: Number(row.expires_at),
  }
}
