import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { codeOf } from '../../test/error-code.js'
import { openMigratedTestDatabase } from '../../test/test-database.js'
import { createEventOutbox } from '../events/event-outbox.js'
import { createRevocationLog } from '../revocation/revocation-log.js'
import { createManualClock } from '../shared/clock.js'
import { cryptoRandom } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { createUserStore } from '../users/user-store.js'
import { createMfaFactorStore } from './mfa-factor-store.js'
import type { MfaPolicy } from './mfa-policy.js'
import { createMfaService, type MfaStores, RECENT_SIGN_IN_MS } from './mfa-service.js'
import { createRecoveryCodeStore } from './recovery-code-store.js'
import { createRecoveryCodeHasher } from './recovery-codes.js'
import { totpCodeAt } from './totp.js'
import { createTotpSecretBox } from './totp-secret-box.js'

const T0 = Date.parse('2026-06-01T12:00:10Z')
const USER = 'usr_ann'
const ACTOR = { kind: 'user' as const, id: USER, ip: '203.0.113.9' }

async function setUp(policy: MfaPolicy = 'optional') {
  const database = await openMigratedTestDatabase('sqlite')
  const clock = createManualClock(T0)
  await createUserStore(database.db).insert({
    id: USER,
    email: 'ann@example.com',
    status: 'active',
    tokenVersion: 1,
    createdAt: T0,
    updatedAt: T0,
  })
  const transact: Transact<MfaStores> = (work) =>
    database.db.transaction().execute((trx) =>
      work({
        mfaFactors: createMfaFactorStore(trx),
        recoveryCodes: createRecoveryCodeStore(trx),
        users: createUserStore(trx),
        revocations: createRevocationLog(trx),
        events: createEventOutbox(trx),
      }),
    )
  const mfa = createMfaService({
    transact,
    clock,
    random: cryptoRandom,
    secretBox: createTotpSecretBox(randomBytes(32)),
    recoveryCodes: createRecoveryCodeHasher(randomBytes(32)),
    issuerName: 'Tessera',
    revocationRetentionMs: 3_600_000,
    policy,
  })
  const db = database.db
  return {
    mfa,
    clock,
    db,
    /** Enrols and confirms an authenticator app; returns its secret and the recovery codes. */
    async enrol() {
      const { secret } = await mfa.beginTotp({ userId: USER, account: 'ann@example.com', authTime: clock.now() })
      const confirmed = await mfa.confirmTotp({ userId: USER, code: totpCodeAt(secret, clock.now()), authTime: clock.now(), actor: ACTOR })
      return { secret, ...confirmed }
    },
    tokenVersion: async () => (await createUserStore(db).findById(USER))?.tokenVersion,
    events: async () => (await createEventOutbox(db).listAfter(0, 100)).map((event) => event.type),
  }
}

describe('the MFA service', () => {
  it('enrols an authenticator app: pending until one code confirms it, then ten recovery codes, once', async () => {
    const { mfa, clock, enrol, events, db } = await setUp()
    const begun = await mfa.beginTotp({ userId: USER, account: 'ann@example.com', name: 'Phone', authTime: clock.now() })
    expect(begun.uri).toContain('otpauth://totp/Tessera:ann%40example.com')
    expect(await mfa.list(USER)).toEqual([])
    const row = await db.selectFrom('mfa_factors').selectAll().executeTakeFirstOrThrow()
    expect(row.totp_secret_sealed).not.toContain(begun.secret) // sealed at rest
    const confirmed = await mfa.confirmTotp({
      userId: USER,
      code: totpCodeAt(begun.secret, clock.now()),
      authTime: clock.now(),
      actor: ACTOR,
    })
    expect(confirmed.recoveryCodes).toHaveLength(10)
    expect((await mfa.list(USER)).map((factor) => factor.name)).toEqual(['Phone'])
    // A second app does not hand out new recovery codes.
    clock.advance(60_000)
    const second = await enrol()
    expect(second.recoveryCodes).toBeNull()
    expect(await events()).toEqual(['mfa.factor_added', 'mfa.factor_added'])
  })

  it('refuses a wrong code at confirmation and leaves the enrolment pending', async () => {
    const { mfa, clock } = await setUp()
    const { secret } = await mfa.beginTotp({ userId: USER, account: 'ann@example.com', authTime: clock.now() })
    const wrong = totpCodeAt(secret, clock.now() - 120_000)
    expect(await codeOf(mfa.confirmTotp({ userId: USER, code: wrong, authTime: clock.now(), actor: ACTOR }))).toBe('invalid_mfa_code')
    expect(await mfa.list(USER)).toEqual([])
    await mfa.confirmTotp({ userId: USER, code: totpCodeAt(secret, clock.now()), authTime: clock.now(), actor: ACTOR })
    expect(await mfa.list(USER)).toHaveLength(1)
  })

  it('accepts a code once: the same code again, or an older one, is a replay', async () => {
    const { mfa, clock, enrol } = await setUp()
    const { secret } = await enrol() // spends the code of this step
    clock.advance(30_000)
    const code = totpCodeAt(secret, clock.now())
    expect(await mfa.verifyTotp(USER, code)).toBe(true)
    expect(await mfa.verifyTotp(USER, code)).toBe(false)
    expect(await mfa.verifyTotp(USER, totpCodeAt(secret, clock.now() - 30_000))).toBe(false)
    clock.advance(30_000)
    expect(await mfa.verifyTotp(USER, totpCodeAt(secret, clock.now()))).toBe(true)
    expect(await mfa.verifyTotp(USER, '000000')).toBe(false)
  })

  it('spends each recovery code once, and a new set voids the old', async () => {
    const { mfa, clock, enrol, events } = await setUp()
    const { recoveryCodes } = await enrol()
    const [first, second] = recoveryCodes as [string, string]
    expect(await mfa.useRecoveryCode(USER, first.toLowerCase(), ACTOR)).toBe(true)
    expect(await mfa.useRecoveryCode(USER, first, ACTOR)).toBe(false)
    expect(await mfa.useRecoveryCode(USER, 'not-a-code', ACTOR)).toBe(false)
    const fresh = await mfa.regenerateRecoveryCodes({ userId: USER, authTime: clock.now(), actor: ACTOR })
    expect(fresh).toHaveLength(10)
    expect(await mfa.useRecoveryCode(USER, second, ACTOR)).toBe(false)
    expect(await mfa.useRecoveryCode(USER, fresh[0] as string, ACTOR)).toBe(true)
    expect(await events()).toContain('mfa.recovery_code_used')
  })

  it('needs a sign-in within the last five minutes to add or remove a factor or to get new codes', async () => {
    const { mfa, clock, enrol } = await setUp()
    await enrol()
    const [factor] = await mfa.list(USER)
    const stale = clock.now() - RECENT_SIGN_IN_MS - 1
    expect(await codeOf(mfa.beginTotp({ userId: USER, account: 'a', authTime: stale }))).toBe('reauthentication_required')
    expect(await codeOf(mfa.remove({ userId: USER, factorId: factor?.id ?? '', authTime: stale, actor: ACTOR }))).toBe(
      'reauthentication_required',
    )
    expect(await codeOf(mfa.regenerateRecoveryCodes({ userId: USER, authTime: stale, actor: ACTOR }))).toBe('reauthentication_required')
    expect(await mfa.list(USER)).toHaveLength(1)
  })

  it('removes a factor: its tokens die (token version, revocation log), and another user cannot remove it', async () => {
    const { mfa, clock, enrol, tokenVersion, db } = await setUp()
    await enrol()
    const [factor] = await mfa.list(USER)
    expect(await codeOf(mfa.remove({ userId: 'usr_mallory', factorId: factor?.id ?? '', authTime: clock.now(), actor: ACTOR }))).toBe(
      'mfa_factor_not_found',
    )
    expect(await tokenVersion()).toBe(1)
    await mfa.remove({ userId: USER, factorId: factor?.id ?? '', authTime: clock.now(), actor: ACTOR })
    expect(await mfa.list(USER)).toEqual([])
    expect(await tokenVersion()).toBe(2)
    const entries = await db.selectFrom('revocation_log').selectAll().execute()
    expect(entries.map((entry) => [entry.kind, entry.subject, entry.min_token_version])).toEqual([['user_token_version', USER, 2]])
    // The last factor gone, the recovery codes go too.
    expect(await db.selectFrom('recovery_codes').where('used_at', 'is', null).selectAll().execute()).toEqual([])
  })

  it('lets an operator reset every factor of a user', async () => {
    const { mfa, enrol, tokenVersion, events } = await setUp()
    await enrol()
    expect(await mfa.reset(USER, { kind: 'cli' })).toBe(1)
    expect(await mfa.list(USER)).toEqual([])
    expect(await tokenVersion()).toBe(2)
    expect(await events()).toContain('mfa.factors_reset')
    expect(await codeOf(mfa.reset('usr_nobody', { kind: 'cli' }))).toBe('user_not_found')
  })

  it('under policy required, refuses removing the last factor (last_factor_required) and changes nothing', async () => {
    const { mfa, clock, enrol, tokenVersion } = await setUp('required')
    await enrol()
    const [factor] = await mfa.list(USER)
    expect(await codeOf(mfa.remove({ userId: USER, factorId: factor?.id ?? '', authTime: clock.now(), actor: ACTOR }))).toBe(
      'last_factor_required',
    )
    expect(await mfa.list(USER)).toHaveLength(1)
    expect(await tokenVersion()).toBe(1)
    expect(await mfa.recoveryCodesLeft(USER)).toBe(10)
    // With a second factor beside it, the first can go.
    const second = await mfa.beginTotp({ userId: USER, account: 'a', authTime: clock.now() })
    clock.advance(30_000)
    await mfa.confirmTotp({ userId: USER, code: totpCodeAt(second.secret, clock.now()), authTime: clock.now(), actor: ACTOR })
    await mfa.remove({ userId: USER, factorId: factor?.id ?? '', authTime: clock.now(), actor: ACTOR })
    expect((await mfa.list(USER)).map((each) => each.id)).toEqual([second.factorId])
  })

  it('under policy off, refuses a new authenticator app (mfa_disabled)', async () => {
    const { mfa, clock } = await setUp('off')
    expect(await codeOf(mfa.beginTotp({ userId: USER, account: 'a', authTime: clock.now() }))).toBe('mfa_disabled')
    expect(await mfa.list(USER)).toEqual([])
  })
})
