import { sql } from 'kysely'
import type { Executor } from '../store/database.js'
import { type Dialect, deleteBatch } from './batched-delete.js'

/** One kind of row that housekeeping deletes, a batch at a time. */
export interface PurgeRule {
  /** The table, as reported in metrics (`tessera_housekeeping_purged_rows_total{table}`). */
  table: string
  /** Deletes at most `limit` rows that are past keeping at `now`; returns how many. */
  purgeBatch(now: number, limit: number): Promise<number>
}

/** How long what is kept, in milliseconds (docs/operations.md, Housekeeping). */
export interface RetentionPolicy {
  /** The longest access-token lifetime: a session's row outlives the end of the session by this much. */
  maxAccessTokenTtlMs: number
  sessionIdleTimeoutMs: number
  sessionAbsoluteLifetimeMs: number
  refreshAbsoluteTtlMs: number
  /** Finished webhook, email and back-channel deliveries. */
  deliveryRetentionMs: number
  /** Audit entries; 0 keeps them for ever. */
  auditRetentionMs: number
  /** Outbox events every consumer has passed. */
  outboxRetentionMs: number
  /** The longest fixed window of the account request counters. */
  accountRequestWindowMs: number
  /** Whether the email consumer runs: only then does its cursor hold the outbox back. */
  emailConsumerRuns: boolean
  /** How long an account's sign-in failure count outlives its last failure (auth/sign-in-throttle.ts). */
  signInThrottleRetentionMs: number
}

/**
 * Rows whose expiry is this far behind are gone: an allowance for clocks of several instances that
 * disagree a little, so one instance never deletes what another still deems valid.
 */
export const CLOCK_SKEW_MS = 5 * 60_000

/**
 * What housekeeping deletes, and what it keeps and why (docs/architecture.md §2, §12, §13).
 * Order matters twice: children go before the sessions they cascade from, so the cascade of a
 * session batch has little left to do; and a run that ran out of time resumes at the next rule.
 */
export function retentionRules(db: Executor, dialect: Dialect, policy: RetentionPolicy): PurgeRule[] {
  const rule = (
    table: string,
    key: readonly string[],
    candidates: (now: number) => ReturnType<typeof sql>,
    orderBy?: string,
  ): PurgeRule => ({
    table,
    purgeBatch: (now, limit) =>
      deleteBatch(db, dialect, { table, key, candidates: candidates(now), ...(orderBy ? { orderBy } : {}) }, limit),
  })
  const expired = (now: number) => now - CLOCK_SKEW_MS

  return [
    // A refresh token is kept while any token of its family can still be redeemed, so a rotated
    // one presented again is still recognised and revokes the family (RFC 9700 §4.14.2). Once no
    // unrevoked token of the family is unexpired, the family is dead and all of it goes.
    rule(
      'refresh_tokens',
      ['id'],
      (now) => sql`select r.id from refresh_tokens r where r.expires_at <= ${expired(now)} and not exists (
        select 1 from refresh_tokens l where l.family_id = r.family_id and l.expires_at > ${expired(now)} and l.revoked_at is null)`,
    ),
    // An access token's record (the jti, an opaque token's hash) is useless once the token expired.
    rule('access_tokens', ['jti'], (now) => sql`select jti from access_tokens where expires_at <= ${expired(now)}`),
    // A redeemed code is kept while the refresh family it issued can live, so a late replay still revokes it.
    rule(
      'authorization_codes',
      ['id'],
      (now) => sql`select id from authorization_codes where expires_at <= ${expired(now) - policy.refreshAbsoluteTtlMs}`,
    ),
    // A device authorization (RFC 8628) nobody redeemed is useless once expired; a redeemed one is kept,
    // like a code, while the refresh family it issued can live, so a late replay still revokes it.
    rule(
      'device_authorizations',
      ['id'],
      (now) => sql`select id from device_authorizations where (used_at is null and expires_at <= ${expired(now)})
        or expires_at <= ${expired(now) - policy.refreshAbsoluteTtlMs}`,
    ),
    // A session is kept until every access token issued under it has expired (the longest access
    // token lifetime after it ended): until then a session-mode check or an introspection may look it
    // up. Its revocation-log entry lives as long, for the hybrid feed. Deleting it cascades to what
    // is left of its refresh tokens and codes (indexed by session_id, migration 0022).
    rule('sessions', ['id'], (now) => {
      const ended = expired(now) - policy.maxAccessTokenTtlMs
      return sql`select id from sessions where absolute_expires_at <= ${ended} or revoked_at <= ${ended}
        or last_active_at <= ${ended - policy.sessionIdleTimeoutMs}`
    }),
    // Self-service flows (15 minutes) and WebAuthn challenges are single-use and short-lived.
    rule('flows', ['id'], (now) => sql`select id from flows where expires_at <= ${expired(now)}`),
    rule('webauthn_challenges', ['id'], (now) => sql`select id from webauthn_challenges where expires_at <= ${expired(now)}`),
    // Pushed authorization requests (RFC 9126) live 60 seconds and are used once.
    rule(
      'pushed_authorization_requests',
      ['id'],
      (now) => sql`select id from pushed_authorization_requests where expires_at <= ${expired(now)}`,
    ),
    // DPoP proofs (RFC 9449) are remembered only while they could be accepted: about a minute.
    rule('dpop_proofs', ['id'], (now) => sql`select id from dpop_proofs where expires_at <= ${expired(now)}`),
    // Email links and codes: used or not, an expired one can only be refused.
    rule('account_tokens', ['id'], (now) => sql`select id from account_tokens where expires_at <= ${expired(now)}`),
    rule(
      'account_request_counters',
      ['key'],
      (now) => sql`select key from account_request_counters where window_start <= ${expired(now) - policy.accountRequestWindowMs}`,
    ),
    rule('rate_limit_counters', ['key'], (now) => sql`select key from rate_limit_counters where reset_at <= ${expired(now)}`),
    // A failure count is forgotten only once no lock holds and the account has been quiet long enough
    // that the reset gives an attacker no more guesses than waiting cost them (auth/sign-in-throttle.ts).
    rule(
      'sign_in_throttle',
      ['key'],
      (now) => sql`select key from sign_in_throttle where updated_at <= ${expired(now) - policy.signInThrottleRetentionMs}
        and (locked_until is null or locked_until <= ${expired(now)})`,
    ),
    // Entries whose horizon passed can affect no token (§2). The newest entry always stays, so the
    // sequence stays known to feeds resuming from a cursor; a cursor older than the oldest entry
    // gets a snapshot instead.
    rule(
      'revocation_log',
      ['seq'],
      (now) => sql`select seq from revocation_log where expires_at <= ${now} and seq < (select max(seq) from revocation_log)`,
      'seq',
    ),
    // The relying parties of a session are needed until the session ends (back-channel logout).
    rule(
      'session_relying_parties',
      ['session_id', 'client_id'],
      (now) => sql`select session_id, client_id from session_relying_parties where created_at <= ${now - policy.sessionAbsoluteLifetimeMs}`,
    ),
    // Finished deliveries stay visible to operators for the retention; pending ones are never touched.
    ...(['webhook_deliveries', 'email_deliveries', 'backchannel_logouts'] as const).map((table) =>
      rule(
        table,
        ['id'],
        (now) => sql`select id from ${sql.table(table)} where updated_at <= ${now - policy.deliveryRetentionMs} and status <> 'pending'`,
      ),
    ),
    ...(policy.auditRetentionMs > 0
      ? [rule('audit_log', ['seq'], (now) => sql`select seq from audit_log where occurred_at <= ${now - policy.auditRetentionMs}`, 'seq')]
      : []),
    // An outbox event goes once every consumer has passed it (§13) and the retention has passed:
    // the audit projection, each webhook endpoint, back-channel logout, and email when it runs.
    rule(
      'event_outbox',
      ['seq'],
      (now) => sql`select seq from event_outbox where created_at <= ${now - policy.outboxRetentionMs}
        and seq <= coalesce((select min(watermark) from audit_projection), 0)
        and seq <= coalesce((select min(outbox_cursor) from webhook_endpoints), seq)
        and seq <= coalesce((select min(outbox_seq) from backchannel_cursor), seq)
        ${policy.emailConsumerRuns ? sql`and seq <= coalesce((select min(seq) from email_cursor), 0)` : sql``}`,
      'seq',
    ),
  ]
}
