import type { Selectable } from 'kysely'
import type { BackchannelLogoutsTable, Executor } from '../store/database.js'

/** A logout token waiting to reach one relying party, for one ended session. */
export interface PendingLogout {
  id: string
  clientId: string
  sessionId: string
  userId: string
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  nextAttemptAt: number | null
  lastError: string | null
  lastStatus: number | null
  createdAt: number
}

/** Who to tell that a session ended: a client that received tokens for it and has a logout URI. */
export interface RelyingParty {
  clientId: string
  userId: string
}

export interface BackchannelStore {
  /** Every outbox event up to this seq has been turned into logouts. */
  cursor(): Promise<number>
  /** Compare-and-set, so that two instances never fan out the same events. */
  advanceCursor(from: number, to: number, now: number): Promise<boolean>
  relyingParties(sessionId: string): Promise<RelyingParty[]>
  /** The session has ended and been announced: its relying parties are no longer needed. */
  forgetSession(sessionId: string): Promise<void>
  insert(logout: PendingLogout): Promise<void>
  listDue(now: number, limit: number): Promise<PendingLogout[]>
  /** Takes one attempt for this instance: true when it won (attempts still as read, no live lease). */
  claim(id: string, attempts: number, leaseUntil: number, now: number): Promise<boolean>
  record(
    id: string,
    outcome: {
      status: PendingLogout['status']
      nextAttemptAt: number | null
      error: string | null
      responseStatus: number | null
      now: number
    },
  ): Promise<void>
  listForClient(clientId: string): Promise<PendingLogout[]>
  /**
   * Drops relying-party records older than `relyingPartiesBefore` (their session has outlived its
   * absolute lifetime, so it ended without a revocation), and finished logouts older than
   * `finishedBefore`. Resolves with how many rows went.
   */
  prune(relyingPartiesBefore: number, finishedBefore: number): Promise<number>
}

export function createBackchannelStore(db: Executor): BackchannelStore {
  return {
    async cursor() {
      const row = await db.selectFrom('backchannel_cursor').select('outbox_seq').where('id', '=', 1).executeTakeFirst()
      return Number(row?.outbox_seq ?? 0)
    },
    async advanceCursor(from, to, now) {
      const result = await db
        .updateTable('backchannel_cursor')
        .set({ outbox_seq: to, updated_at: now })
        .where('id', '=', 1)
        .where('outbox_seq', '=', from)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async relyingParties(sessionId) {
      const rows = await db
        .selectFrom('session_relying_parties')
        .innerJoin('applications', 'applications.id', 'session_relying_parties.client_id')
        .select(['session_relying_parties.client_id', 'session_relying_parties.user_id'])
        .where('session_relying_parties.session_id', '=', sessionId)
        .where('applications.backchannel_logout_uri', 'is not', null)
        .orderBy('session_relying_parties.client_id')
        .execute()
      return rows.map((row) => ({ clientId: row.client_id, userId: row.user_id }))
    },
    async forgetSession(sessionId) {
      await db.deleteFrom('session_relying_parties').where('session_id', '=', sessionId).execute()
    },
    async insert(logout) {
      await db
        .insertInto('backchannel_logouts')
        .values({
          id: logout.id,
          client_id: logout.clientId,
          session_id: logout.sessionId,
          user_id: logout.userId,
          status: logout.status,
          attempts: logout.attempts,
          next_attempt_at: logout.nextAttemptAt,
          lease_until: null,
          last_error: logout.lastError,
          last_status: logout.lastStatus,
          created_at: logout.createdAt,
          updated_at: logout.createdAt,
        })
        .execute()
    },
    async listDue(now, limit) {
      const rows = await db
        .selectFrom('backchannel_logouts')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute()
      return rows.map(toPendingLogout)
    },
    async claim(id, attempts, leaseUntil, now) {
      const result = await db
        .updateTable('backchannel_logouts')
        .set({ attempts: attempts + 1, lease_until: leaseUntil, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('attempts', '=', attempts)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },
    async record(id, outcome) {
      await db
        .updateTable('backchannel_logouts')
        .set({
          status: outcome.status,
          next_attempt_at: outcome.nextAttemptAt,
          lease_until: null,
          last_error: outcome.error,
          last_status: outcome.responseStatus,
          updated_at: outcome.now,
        })
        .where('id', '=', id)
        .execute()
    },
    async prune(relyingPartiesBefore, finishedBefore) {
      const parties = await db.deleteFrom('session_relying_parties').where('created_at', '<', relyingPartiesBefore).executeTakeFirst()
      const logouts = await db
        .deleteFrom('backchannel_logouts')
        .where('status', '!=', 'pending')
        .where('updated_at', '<', finishedBefore)
        .executeTakeFirst()
      return Number(parties.numDeletedRows) + Number(logouts.numDeletedRows)
    },
    async listForClient(clientId) {
      const rows = await db.selectFrom('backchannel_logouts').selectAll().where('client_id', '=', clientId).orderBy('created_at').execute()
      return rows.map(toPendingLogout)
    },
  }
}

function toPendingLogout(row: Selectable<BackchannelLogoutsTable>): PendingLogout {
  return {
    id: row.id,
    clientId: row.client_id,
    sessionId: row.session_id,
    userId: row.user_id,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at === null ? null : Number(row.next_attempt_at),
    lastError: row.last_error,
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    createdAt: Number(row.created_at),
  }
}
