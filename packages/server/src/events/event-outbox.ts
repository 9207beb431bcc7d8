import type { Selectable } from 'kysely'
import type { EventOutboxTable, Executor } from '../store/database.js'

/** Who caused an event. */
export type ActorIdentity =
  | { kind: 'user'; id: string }
  | { kind: 'application'; id: string }
  | { kind: 'cli' }
  | { kind: 'system' }
  | { kind: 'anonymous' }

/**
 * Who caused an event, and optionally from where: an HTTP caller passes the request's IP in the
 * actor, so services need no extra parameter to record it.
 */
export type Actor = ActorIdentity & {
  ip?: string
  /** The language the caller speaks (i18n/): account events carry it, so their messages are in it. */
  locale?: string
}

/** The `locale` an event payload carries for its messages, when the actor named one. */
export function localeField(actor: Actor): { locale?: string } {
  return actor.locale ? { locale: actor.locale } : {}
}

export type EventType =
  | 'user.created'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.updated'
  | 'user.password_reset'
  | 'user.deleted'
  | 'user.password_rehashed'
  | 'user.email_verification_requested'
  | 'user.email_verified'
  | 'user.password_reset_requested'
  | 'user.password_changed'
  | 'user.email_change_requested'
  | 'user.email_changed'
  | 'user.sign_up_attempted'
  | 'sign_in.succeeded'
  | 'sign_in.failed'
  | 'sign_in.throttled'
  | 'sign_in.locked_out'
  | 'session.created'
  | 'session.revoked'
  | 'session.stepped_up'
  | 'user.sessions_revoked'
  | 'key.created'
  | 'key.rotated'
  | 'key.revoked'
  | 'api.created'
  | 'api.updated'
  | 'api.deleted'
  | 'role.created'
  | 'role.updated'
  | 'role.deleted'
  | 'role.permissions_changed'
  | 'user.roles_changed'
  | 'application.roles_changed'
  | 'application.created'
  | 'application.updated'
  | 'application.secret_rotated'
  | 'application.deleted'
  | 'refresh_token.reused'
  | 'refresh_token.revoked'
  | 'authorization_code.reused'
  | 'device_code.reused'
  | 'device_authorization.approved'
  | 'device_authorization.denied'
  | 'access_token.revoked'
  | 'webhook.created'
  | 'webhook.updated'
  | 'webhook.secret_rotated'
  | 'webhook.deleted'
  | 'webhook.delivery_resent'
  | 'webhook.test_sent'
  | 'mfa.factor_added'
  | 'mfa.factor_removed'
  | 'mfa.factor_renamed'
  | 'mfa.factors_reset'
  | 'mfa.recovery_codes_generated'
  | 'mfa.recovery_code_used'
  | 'connection.created'
  | 'connection.updated'
  | 'connection.deleted'
  | 'identity.linked'
  | 'identity.unlinked'
  | 'sign_in.upstream_failed'

export interface OutboxEvent {
  type: EventType
  actor: Actor
  userId: string | null
  /** Never a secret: no password, token, or hash. */
  payload: Record<string, unknown>
  ip: string | null
  createdAt: number
}

export interface StoredEvent extends Omit<OutboxEvent, 'actor'> {
  seq: number
  /** Who acted; where from is in `ip`. */
  actor: ActorIdentity
}

/**
 * The event outbox: every security-relevant change appends an event in the same transaction,
 * numbered by a monotonic sequence. Webhooks and the audit log read it.
 */
export interface EventOutbox {
  append(event: OutboxEvent): Promise<number>
  listAfter(afterSeq: number, limit: number): Promise<StoredEvent[]>
}

export function createEventOutbox(db: Executor): EventOutbox {
  return {
    async append(event) {
      const { ip: actorIp, ...who } = event.actor
      const row = await db
        .insertInto('event_outbox')
        .values({
          type: event.type,
          actor: JSON.stringify(who),
          user_id: event.userId,
          payload: JSON.stringify(event.payload),
          ip: event.ip ?? actorIp ?? null,
          created_at: event.createdAt,
        })
        .returning('seq')
        .executeTakeFirstOrThrow()
      return row.seq
    },
    async listAfter(afterSeq, limit) {
      const rows = await db.selectFrom('event_outbox').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute()
      return rows.map(toStored)
    },
  }
}

function toStored(row: Selectable<EventOutboxTable>): StoredEvent {
  return {
    seq: row.seq,
    type: row.type as EventType,
    actor: JSON.parse(row.actor) as ActorIdentity,
    userId: row.user_id,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    ip: row.ip,
    createdAt: row.created_at,
  }
}
