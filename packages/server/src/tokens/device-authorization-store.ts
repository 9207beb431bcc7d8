import { type Selectable, sql } from 'kysely'
import type { Executor } from '../store/database.js'
import type { DeviceAuthorizationsTable } from '../store/database-protocol.js'
import { amrFromColumn, amrToColumn } from './amr-column.js'

export type DeviceAuthorizationStatus = 'pending' | 'approved' | 'denied'

/** An RFC 8628 device authorization and what it is bound to. */
export interface DeviceAuthorization {
  id: string
  deviceCodeHash: string
  userCodeHash: string
  clientId: string
  scope: string[]
  resource: string | null
  /** Seconds between polls (RFC 8628 §3.2 `interval`), raised by each `slow_down`. */
  interval: number
  lastPolledAt: number | null
  status: DeviceAuthorizationStatus
  /** Set by the approval: the session the device's tokens are bound to. */
  sessionId: string | null
  userId: string | null
  authTime: number | null
  /** Set by the approval: the approving session's RFC 8176 methods then (0029); null before 0029, and the session's now stand in. */
  amr: string[] | null
  decidedAt: number | null
  usedAt: number | null
  familyId: string | null
  createdAt: number
  expiresAt: number
}

/** Who approved: the session the device's tokens are bound to, and how its user had authenticated then. */
export interface DeviceApproval {
  sessionId: string
  userId: string
  authTime: number
  amr: readonly string[]
}

/** RFC 8628 §3.5: `slow_down` adds five seconds to the interval, for this and every later request. */
export const SLOW_DOWN_SECONDS = 5

export interface DeviceAuthorizationStore {
  insert(authorization: DeviceAuthorization): Promise<void>
  findByDeviceCode(deviceCodeHash: string): Promise<DeviceAuthorization | null>
  findByUserCode(userCodeHash: string): Promise<DeviceAuthorization | null>
  /**
   * Records a poll at `now`: true when the interval had passed since the last one; otherwise the
   * interval rises by five seconds and it is false (RFC 8628 §3.5 `slow_down`). Atomic.
   */
  poll(id: string, now: number): Promise<boolean>
  /** Approves (with the session) or denies a pending, live authorization; false when it no longer is (atomic). */
  decide(id: string, decision: { approved: DeviceApproval | null }, now: number): Promise<boolean>
  /** Marks an approved authorization redeemed with the token family issued; false when it was redeemed already (atomic). */
  redeem(id: string, now: number, familyId: string): Promise<boolean>
}

export function createDeviceAuthorizationStore(db: Executor): DeviceAuthorizationStore {
  return {
    async insert(authorization) {
      await db
        .insertInto('device_authorizations')
        .values({
          id: authorization.id,
          device_code_hash: authorization.deviceCodeHash,
          user_code_hash: authorization.userCodeHash,
          client_id: authorization.clientId,
          scope: authorization.scope.join(' '),
          resource: authorization.resource,
          poll_interval: authorization.interval,
          last_polled_at: authorization.lastPolledAt,
          status: authorization.status,
          session_id: authorization.sessionId,
          user_id: authorization.userId,
          auth_time: authorization.authTime,
          amr: amrToColumn(authorization.amr),
          decided_at: authorization.decidedAt,
          used_at: authorization.usedAt,
          family_id: authorization.familyId,
          created_at: authorization.createdAt,
          expires_at: authorization.expiresAt,
        })
        .execute()
    },
    async findByDeviceCode(deviceCodeHash) {
      const row = await db.selectFrom('device_authorizations').selectAll().where('device_code_hash', '=', deviceCodeHash).executeTakeFirst()
      return row ? toAuthorization(row) : null
    },
    async findByUserCode(userCodeHash) {
      const row = await db.selectFrom('device_authorizations').selectAll().where('user_code_hash', '=', userCodeHash).executeTakeFirst()
      return row ? toAuthorization(row) : null
    },
    async poll(id, now) {
      const paced = await db
        .updateTable('device_authorizations')
        .set({ last_polled_at: now })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_polled_at', 'is', null), eb(sql<number>`last_polled_at + poll_interval * 1000`, '<=', now)]))
        .executeTakeFirst()
      if (Number(paced.numUpdatedRows) === 1) return true
      await db
        .updateTable('device_authorizations')
        .set({ last_polled_at: now, poll_interval: sql<number>`poll_interval + ${SLOW_DOWN_SECONDS}` })
        .where('id', '=', id)
        .execute()
      return false
    },
    async decide(id, decision, now) {
      const approved = decision.approved
      const result = await db
        .updateTable('device_authorizations')
        .set({
          status: approved ? 'approved' : 'denied',
          session_id: approved?.sessionId ?? null,
          user_id: approved?.userId ?? null,
          auth_time: approved?.authTime ?? null,
          amr: amrToColumn(approved?.amr),
          decided_at: now,
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async redeem(id, now, familyId) {
      const result = await db
        .updateTable('device_authorizations')
        .set({ used_at: now, family_id: familyId })
        .where('id', '=', id)
        .where('status', '=', 'approved')
        .where('used_at', 'is', null)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) !== 1) return false
      // The client now holds tokens for the approving session: when it ends, the client is told
      // (OIDC Back-Channel Logout 1.0, backchannel/), as after a code's redemption.
      await db
        .insertInto('session_relying_parties')
        .columns(['session_id', 'client_id', 'user_id', 'created_at'])
        .expression(
          db
            .selectFrom('device_authorizations')
            .select(['session_id', 'client_id', 'user_id', sql.lit(now).as('created_at')])
            .where('id', '=', id)
            .where('session_id', 'is not', null),
        )
        .onConflict((conflict) => conflict.columns(['session_id', 'client_id']).doNothing())
        .execute()
      return true
    },
  }
}

function toAuthorization(row: Selectable<DeviceAuthorizationsTable>): DeviceAuthorization {
  const number = (value: number | null) => (value === null ? null : Number(value))
  return {
    id: row.id,
    deviceCodeHash: row.device_code_hash,
    userCodeHash: row.user_code_hash,
    clientId: row.client_id,
    scope: row.scope === '' ? [] : row.scope.split(' '),
    resource: row.resource,
    interval: Number(row.poll_interval),
    lastPolledAt: number(row.last_polled_at),
    status: row.status,
    sessionId: row.session_id,
    userId: row.user_id,
    authTime: number(row.auth_time),
    amr: amrFromColumn(row.amr),
    decidedAt: number(row.decided_at),
    usedAt: number(row.used_at),
    familyId: row.family_id,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
  }
}
