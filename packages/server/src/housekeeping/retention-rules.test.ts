import type { Kysely } from 'kysely'
import { describe, expect, it } from 'vitest'
import { DIALECTS, openMigratedTestDatabase } from '../../test/test-database.js'
import type { Database } from '../store/database.js'
import { createHousekeeping } from './housekeeping.js'
import { CLOCK_SKEW_MS, type RetentionPolicy, retentionRules } from './retention-rules.js'

const NOW = Date.parse('2026-06-01T00:00:00Z')
const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR

const POLICY: RetentionPolicy = {
  maxAccessTokenTtlMs: HOUR,
  sessionIdleTimeoutMs: 3 * DAY,
  sessionAbsoluteLifetimeMs: 30 * DAY,
  refreshAbsoluteTtlMs: 90 * DAY,
  deliveryRetentionMs: 30 * DAY,
  auditRetentionMs: 365 * DAY,
  outboxRetentionMs: 7 * DAY,
  accountRequestWindowMs: HOUR,
  emailConsumerRuns: true,
  signInThrottleRetentionMs: 5 * HOUR,
}

/** Every table housekeeping touches, with a row it must delete and a row it must keep, named by id. */
async function seed(db: Kysely<Database>) {
  await db
    .insertInto('users')
    .values({ id: 'usr_1', email: 'ann@example.com', status: 'active', token_version: 1, created_at: 0, updated_at: 0 })
    .execute()
  await db
    .insertInto('applications')
    .values({
      ...{ id: 'app_1', name: 'App', type: 'web', secret_hash: null, grants: '[]', redirect_uris: '[]', apis: '[]', scopes: '[]' },
      ...{ access_token_ttl: null, refresh_token_ttl: null, first_party: 1, post_logout_redirect_uris: '[]', web_origins: null },
      ...{ backchannel_logout_uri: null, backchannel_logout_session_required: 0, created_at: 0, updated_at: 0 },
    })
    .execute()
  const session = (id: string, at: { lastActive?: number; absolute?: number; revoked?: number | null }) => ({
    id,
    user_id: 'usr_1',
    secret_hash: `h_${id}`,
    created_at: NOW - 40 * DAY,
    last_active_at: at.lastActive ?? NOW - MIN,
    absolute_expires_at: at.absolute ?? NOW + DAY,
    auth_time: NOW - 40 * DAY,
    amr: '["pwd"]',
    user_agent: null,
    ip: null,
    revoked_at: at.revoked ?? null,
    revoked_reason: at.revoked ? 'sign_out' : null,
  })
  // Ended more than the longest access-token lifetime (and the skew) ago: gone. Ended since: kept.
  await db
    .insertInto('sessions')
    .values([
      session('ses_live', {}),
      session('ses_absolute_old', { absolute: NOW - HOUR - CLOCK_SKEW_MS - MIN }),
      session('ses_absolute_recent', { absolute: NOW - 30 * MIN }),
      session('ses_revoked_old', { revoked: NOW - 2 * HOUR }),
      session('ses_revoked_recent', { revoked: NOW - 10 * MIN }),
      session('ses_idle_old', { lastActive: NOW - 3 * DAY - 2 * HOUR }),
      session('ses_idle_recent', { lastActive: NOW - 3 * DAY + HOUR }),
    ])
    .execute()
  const refresh = (id: string, family: string, sessionId: string, expiresAt: number, revokedAt: number | null = null) => ({
    ...{ id, family_id: family, parent_id: null, session_id: sessionId, user_id: 'usr_1', client_id: 'app_1', api: 'a', scope: '' },
    ...{ secret_hash: `h_${id}`, auth_time: 0, created_at: NOW - 10 * DAY, expires_at: expiresAt, family_expires_at: NOW + 10 * DAY },
    ...{ used_at: null, revoked_at: revokedAt },
  })
  await db
    .insertInto('refresh_tokens')
    .values([
      // A live family: its rotated, expired token stays so a replay of it is still detected.
      refresh('rt_live_rotated', 'fam_live', 'ses_live', NOW - DAY),
      refresh('rt_live_current', 'fam_live', 'ses_live', NOW + DAY),
      // A family whose tokens all expired: dead, all of it goes.
      refresh('rt_dead_1', 'fam_dead', 'ses_live', NOW - 2 * DAY),
      refresh('rt_dead_2', 'fam_dead', 'ses_live', NOW - DAY),
      // A revoked family: its expired token goes, the unexpired one waits for its expiry.
      refresh('rt_revoked_expired', 'fam_revoked', 'ses_live', NOW - DAY, NOW - 2 * DAY),
      refresh('rt_revoked_unexpired', 'fam_revoked', 'ses_live', NOW + DAY, NOW - 2 * DAY),
      // Expired only within the skew allowance: kept.
      refresh('rt_skew', 'fam_skew', 'ses_live', NOW - MIN),
      // Goes with its session (the cascade).
      refresh('rt_of_old_session', 'fam_old_session', 'ses_revoked_old', NOW + DAY),
    ])
    .execute()
  const access = (jti: string, expiresAt: number) => ({
    ...{ jti, format: 'jwt' as const, secret_hash: null, family_id: null, session_id: 'ses_live', user_id: 'usr_1', client_id: 'app_1' },
    ...{ api: 'a', scope: '', token_version: 1, auth_time: 0, created_at: expiresAt - HOUR, expires_at: expiresAt, revoked_at: null },
  })
  await db
    .insertInto('access_tokens')
    .values([access('at_old', NOW - HOUR), access('at_skew', NOW - MIN), access('at_live', NOW + HOUR)])
    .execute()
  const code = (id: string, expiresAt: number) => ({
    ...{ id, code_hash: `h_${id}`, client_id: 'app_1', session_id: 'ses_live', user_id: 'usr_1', redirect_uri: 'https://a/cb' },
    ...{ code_challenge: 'c', nonce: null, scope: '', resource: null, auth_time: 0, created_at: expiresAt - MIN, expires_at: expiresAt },
    ...{ used_at: null, family_id: null },
  })
  await db
    .insertInto('authorization_codes')
    .values([code('code_old', NOW - 91 * DAY), code('code_kept', NOW - 80 * DAY)])
    .execute()
  // RFC 8628: an unused device authorization goes once expired; a redeemed one lives like a code.
  const device = (id: string, expiresAt: number, usedAt: number | null) => ({
    ...{ id, device_code_hash: `d_${id}`, user_code_hash: `u_${id}`, client_id: 'app_1', scope: '', resource: null },
    ...{ poll_interval: 5, last_polled_at: null, status: usedAt === null ? ('pending' as const) : ('approved' as const) },
    ...{ session_id: usedAt === null ? null : 'ses_live', user_id: null, auth_time: null, decided_at: null, used_at: usedAt },
    ...{ family_id: null, created_at: expiresAt - 10 * MIN, expires_at: expiresAt },
  })
  await db
    .insertInto('device_authorizations')
    .values([
      device('dev_unused_old', NOW - HOUR, null),
      device('dev_live', NOW + MIN, null),
      device('dev_redeemed_kept', NOW - 80 * DAY, NOW - 80 * DAY),
      device('dev_redeemed_old', NOW - 91 * DAY, NOW - 91 * DAY),
    ])
    .execute()
  const flow = (id: string, expiresAt: number) => ({
    ...{ id, type: 'login' as const, binding_hash: 'b', csrf_hash: 'c', next_steps: '[]', steps_done: '[]', user_id: null },
    ...{ session_id: null, client_id: null, context: '{}', version: 1, created_at: 0, updated_at: 0, expires_at: expiresAt },
  })
  await db
    .insertInto('flows')
    .values([flow('flow_old', NOW - HOUR), flow('flow_live', NOW + MIN)])
    .execute()
  const challenge = (id: string, expiresAt: number) => ({
    ...{ id, purpose: 'register' as const, user_id: 'usr_1', challenge: 'x', created_at: 0, expires_at: expiresAt },
  })
  await db
    .insertInto('webauthn_challenges')
    .values([challenge('wac_old', NOW - HOUR), challenge('wac_live', NOW + MIN)])
    .execute()
  const pushed = (id: string, expiresAt: number) => ({ id, client_id: 'app_1', parameters: '{}', created_at: 0, expires_at: expiresAt })
  await db
    .insertInto('pushed_authorization_requests')
    .values([pushed('par_old', NOW - HOUR), pushed('par_live', NOW + MIN)])
    .execute()
  await db
    .insertInto('dpop_proofs')
    .values([
      { id: 'dpop_old', expires_at: NOW - HOUR },
      { id: 'dpop_live', expires_at: NOW + MIN },
    ])
    .execute()
  const accountToken = (id: string, expiresAt: number) => ({
    ...{ id, user_id: 'usr_1', purpose: 'verify_email' as const, kind: 'link' as const, secret_hash: `h_${id}` },
    ...{ email: 'ann@example.com', credential_stamp: null, failed_attempts: 0, expires_at: expiresAt, used_at: null, created_at: 0 },
  })
  await db
    .insertInto('account_tokens')
    .values([accountToken('act_old', NOW - HOUR), accountToken('act_live', NOW + HOUR)])
    .execute()
  await db
    .insertInto('account_request_counters')
    .values([
      { key: 'arc_old', count: 3, window_start: NOW - 2 * HOUR },
      { key: 'arc_live', count: 3, window_start: NOW - 10 * MIN },
    ])
    .execute()
  await db
    .insertInto('rate_limit_counters')
    .values([
      { key: 'rl_old', count: 3, reset_at: NOW - HOUR },
      { key: 'rl_live', count: 3, reset_at: NOW + MIN },
    ])
    .execute()
  const entry = (subject: string, expiresAt: number) => ({
    kind: 'session' as const,
    subject,
    min_token_version: null,
    created_at: expiresAt - HOUR,
    expires_at: expiresAt,
  })
  // The newest entry stays even when it expired, so the sequence stays known to feeds.
  for (const [subject, expiresAt] of [
    ['rev_old_1', NOW - 2 * HOUR],
    ['rev_old_2', NOW - HOUR],
    ['rev_live', NOW + HOUR],
    ['rev_newest_expired', NOW - MIN],
  ] as const) {
    await db.insertInto('revocation_log').values(entry(subject, expiresAt)).execute()
  }
  await db
    .insertInto('session_relying_parties')
    .values([
      { session_id: 'srp_old', client_id: 'app_1', user_id: 'usr_1', created_at: NOW - 31 * DAY },
      { session_id: 'srp_live', client_id: 'app_1', user_id: 'usr_1', created_at: NOW - DAY },
    ])
    .execute()
  await db
    .insertInto('webhook_endpoints')
    .values({
      ...{ id: 'whe_1', url: 'https://h/x', event_types: '[]', allow_insecure_development: 0, encrypted_secret: 's' },
      ...{ previous_encrypted_secret: null, previous_secret_expires_at: null, outbox_cursor: 2, created_at: 0, updated_at: 0 },
    })
    .execute()
  const delivery = (id: string, status: 'pending' | 'succeeded' | 'failed', updatedAt: number, eventSeq: number) => ({
    ...{ id, endpoint_id: 'whe_1', event_seq: eventSeq, event_type: 'x', payload: '{}', status, attempts: 1, last_attempt_at: null },
    ...{ last_response_code: null, last_error: null, next_attempt_at: null, created_at: updatedAt, updated_at: updatedAt },
  })
  await db
    .insertInto('webhook_deliveries')
    .values([
      delivery('whd_old_done', 'succeeded', NOW - 31 * DAY, 1),
      delivery('whd_old_failed', 'failed', NOW - 31 * DAY, 2),
      delivery('whd_old_pending', 'pending', NOW - 31 * DAY, 3),
      delivery('whd_recent_done', 'succeeded', NOW - DAY, 4),
    ])
    .execute()
  const mail = (id: string, status: 'pending' | 'sent' | 'failed', updatedAt: number) => ({
    ...{
      id,
      event_seq: id.length,
      template: id,
      user_id: null,
      recipient: 'a@b',
      subject: 's',
      sealed_variables: null,
      status,
      attempts: 1,
    },
    ...{ last_attempt_at: null, last_error: null, next_attempt_at: null, sent_at: null, created_at: updatedAt, updated_at: updatedAt },
  })
  await db
    .insertInto('email_deliveries')
    .values([mail('eml_old_sent', 'sent', NOW - 31 * DAY), mail('eml_old_pending', 'pending', NOW - 31 * DAY)])
    .execute()
  const logout = (id: string, status: 'pending' | 'delivered' | 'failed', updatedAt: number) => ({
    ...{ id, client_id: 'app_1', session_id: 's', user_id: 'usr_1', status, attempts: 1, next_attempt_at: null, lease_until: null },
    ...{ last_error: null, last_status: null, created_at: updatedAt, updated_at: updatedAt },
  })
  await db
    .insertInto('backchannel_logouts')
    .values([logout('bcl_old_delivered', 'delivered', NOW - 31 * DAY), logout('bcl_recent', 'delivered', NOW - DAY)])
    .execute()
  // Outbox events 1-4: 1-3 old, 4 recent. Every consumer but the webhook endpoint has passed all four; it has passed 1-2 (its cursor is 2).
  for (const createdAt of [NOW - 30 * DAY, NOW - 20 * DAY, NOW - 10 * DAY, NOW - DAY]) {
    await db
      .insertInto('event_outbox')
      .values({ type: 'x', actor: '{}', user_id: null, payload: '{}', ip: null, created_at: createdAt })
      .execute()
  }
  await db.insertInto('audit_projection').values({ id: 'audit', watermark: 4 }).execute()
  await db.updateTable('email_cursor').set({ seq: 4 }).execute()
  await db.updateTable('backchannel_cursor').set({ outbox_seq: 4 }).execute()
  const audit = (seq: number, occurredAt: number) => ({
    ...{ seq, occurred_at: occurredAt, actor_kind: 'system' as const, actor_id: null, action: 'x', target_type: null },
    ...{ target_id: null, user_id: null, ip: null, detail: '{}' },
  })
  await db
    .insertInto('audit_log')
    .values([audit(1, NOW - 366 * DAY), audit(2, NOW - 364 * DAY)])
    .execute()
  // A failure count goes once the account has been quiet past the retention and no lock holds.
  const throttle = (key: string, updatedAt: number, lockedUntil: number | null) => ({
    key,
    failures: 12,
    locked_until: lockedUntil,
    updated_at: updatedAt,
  })
  await db
    .insertInto('sign_in_throttle')
    .values([
      throttle('thr_quiet', NOW - 5 * HOUR - CLOCK_SKEW_MS - MIN, NOW - 4 * HOUR),
      throttle('thr_recent', NOW - 4 * HOUR, null),
      throttle('thr_still_locked', NOW - 6 * HOUR, NOW + MIN),
    ])
    .execute()
}

async function ids(db: Kysely<Database>) {
  const column = async (table: keyof Database, key: string) =>
    // biome-ignore lint/suspicious/noExplicitAny: a test reads one column of any table
    ((await (db as Kysely<any>).selectFrom(table).select(key).execute()) as Record<string, unknown>[]).map((row) => String(row[key])).sort()
  return {
    sessions: await column('sessions', 'id'),
    refresh_tokens: await column('refresh_tokens', 'id'),
    access_tokens: await column('access_tokens', 'jti'),
    authorization_codes: await column('authorization_codes', 'id'),
    device_authorizations: await column('device_authorizations', 'id'),
    flows: await column('flows', 'id'),
    webauthn_challenges: await column('webauthn_challenges', 'id'),
    pushed_authorization_requests: await column('pushed_authorization_requests', 'id'),
    dpop_proofs: await column('dpop_proofs', 'id'),
    account_tokens: await column('account_tokens', 'id'),
    account_request_counters: await column('account_request_counters', 'key'),
    rate_limit_counters: await column('rate_limit_counters', 'key'),
    revocation_log: await column('revocation_log', 'subject'),
    session_relying_parties: await column('session_relying_parties', 'session_id'),
    webhook_deliveries: await column('webhook_deliveries', 'id'),
    email_deliveries: await column('email_deliveries', 'id'),
    backchannel_logouts: await column('backchannel_logouts', 'id'),
    event_outbox: await column('event_outbox', 'seq'),
    audit_log: await column('audit_log', 'seq'),
    sign_in_throttle: await column('sign_in_throttle', 'key'),
  }
}

describe.each(DIALECTS)('housekeeping on %s', (dialect) => {
  it('deletes what is past keeping and keeps the rest', async () => {
    const database = await openMigratedTestDatabase(dialect)
    await seed(database.db)
    const purged: Record<string, number> = {}
    const housekeeping = createHousekeeping({
      rules: retentionRules(database.db, dialect, POLICY),
      clock: { now: () => NOW },
      batchSize: 2,
      budgetMs: 60_000,
      onPurged: (table, rows) => {
        purged[table] = (purged[table] ?? 0) + rows
      },
      onError: (_table, error) => {
        throw error
      },
    })
    const report = await housekeeping.run()

    expect(report).toMatchObject({ complete: true, failed: [] })
    expect(await ids(database.db)).toEqual({
      sessions: ['ses_absolute_recent', 'ses_idle_recent', 'ses_live', 'ses_revoked_recent'],
      refresh_tokens: ['rt_live_current', 'rt_live_rotated', 'rt_revoked_unexpired', 'rt_skew'],
      access_tokens: ['at_live', 'at_skew'],
      authorization_codes: ['code_kept'],
      device_authorizations: ['dev_live', 'dev_redeemed_kept'],
      flows: ['flow_live'],
      webauthn_challenges: ['wac_live'],
      pushed_authorization_requests: ['par_live'],
      dpop_proofs: ['dpop_live'],
      account_tokens: ['act_live'],
      account_request_counters: ['arc_live'],
      rate_limit_counters: ['rl_live'],
      revocation_log: ['rev_live', 'rev_newest_expired'],
      session_relying_parties: ['srp_live'],
      webhook_deliveries: ['whd_old_pending', 'whd_recent_done'],
      email_deliveries: ['eml_old_pending'],
      backchannel_logouts: ['bcl_recent'],
      event_outbox: ['3', '4'],
      audit_log: ['2'],
      sign_in_throttle: ['thr_recent', 'thr_still_locked'],
    })
    // The session's refresh token went by the cascade, not by the refresh-token rule.
    expect(purged).toEqual({
      refresh_tokens: 3,
      access_tokens: 1,
      authorization_codes: 1,
      device_authorizations: 2,
      sessions: 3,
      flows: 1,
      webauthn_challenges: 1,
      pushed_authorization_requests: 1,
      dpop_proofs: 1,
      account_tokens: 1,
      account_request_counters: 1,
      rate_limit_counters: 1,
      revocation_log: 2,
      session_relying_parties: 1,
      webhook_deliveries: 2,
      email_deliveries: 1,
      backchannel_logouts: 1,
      event_outbox: 2,
      audit_log: 1,
      sign_in_throttle: 1,
    })
    expect(report.purged).toEqual(purged)
    // Batches of two: each of the six rules with two or three rows to delete needs a second
    // statement after its first full batch; every other rule one statement.
    expect(report.batches).toBe(retentionRules(database.db, dialect, POLICY).length + 6)

    // A second run finds nothing left: one statement per rule.
    const again = await housekeeping.run()
    expect(again.purged).toEqual({})
    expect(again.batches).toBe(retentionRules(database.db, dialect, POLICY).length)
  })

  it('keeps audit entries for ever when the retention is 0, and outbox events a consumer has not passed', async () => {
    const database = await openMigratedTestDatabase(dialect)
    await seed(database.db)
    await database.db.updateTable('audit_projection').set({ watermark: 1 }).execute()
    const housekeeping = createHousekeeping({
      rules: retentionRules(database.db, dialect, { ...POLICY, auditRetentionMs: 0 }),
      clock: { now: () => NOW },
      batchSize: 500,
      budgetMs: 60_000,
      onError: (_table, error) => {
        throw error
      },
    })
    await housekeeping.run()
    const left = await ids(database.db)
    expect(left.audit_log).toEqual(['1', '2'])
    expect(left.event_outbox).toEqual(['2', '3', '4'])
  })

  it('shares the work between instances purging at once: every expired row goes once, none fails', async () => {
    const database = await openMigratedTestDatabase(dialect)
    const rows = Array.from({ length: 1200 }, (_, n) => ({
      ...{ id: `flow_${n}`, type: 'login' as const, binding_hash: 'b', csrf_hash: 'c', next_steps: '[]', steps_done: '[]' },
      ...{ user_id: null, session_id: null, client_id: null, context: '{}', version: 1, created_at: 0, updated_at: 0 },
      expires_at: NOW - HOUR,
    }))
    for (let start = 0; start < rows.length; start += 300)
      await database.db
        .insertInto('flows')
        .values(rows.slice(start, start + 300))
        .execute()
    // Two instances: each its own runner over the same database, running at the same moment.
    const instance = () =>
      createHousekeeping({
        rules: retentionRules(database.db, dialect, POLICY).filter((rule) => rule.table === 'flows'),
        clock: { now: () => NOW },
        batchSize: 100,
        budgetMs: 60_000,
        onError: (_table, error) => {
          throw error
        },
      })
    const reports = await Promise.all([instance().run(), instance().run()])
    expect(reports.map((report) => report.failed)).toEqual([[], []])
    expect(reports.reduce((sum, report) => sum + (report.purged.flows ?? 0), 0)).toBe(1200)
    expect(await database.db.selectFrom('flows').select('id').execute()).toEqual([])
  })
})
