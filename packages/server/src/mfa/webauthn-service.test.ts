import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { codeOf } from '../../test/error-code.js'
import { createSoftAuthenticator } from '../../test/soft-authenticator.js'
import { openMigratedTestDatabase } from '../../test/test-database.js'
import { createEventOutbox } from '../events/event-outbox.js'
import { createManualClock } from '../shared/clock.js'
import { cryptoRandom } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { createUserStore } from '../users/user-store.js'
import { createMfaFactorStore } from './mfa-factor-store.js'
import { RECENT_SIGN_IN_MS } from './mfa-service.js'
import { createRecoveryCodeStore } from './recovery-code-store.js'
import { createRecoveryCodeHasher } from './recovery-codes.js'
import { createWebAuthnChallengeStore } from './webauthn-challenge-store.js'
import { createWebAuthnService, type WebAuthnStores } from './webauthn-service.js'

const ISSUER = 'https://id.example.test'
const ORIGIN = 'https://id.example.test'
const T0 = Date.parse('2026-06-01T12:00:00Z')
const ACTOR = { kind: 'user' as const, id: 'usr_ann' }

async function setUp() {
  const database = await openMigratedTestDatabase('sqlite')
  const users = createUserStore(database.db)
  for (const id of ['usr_ann', 'usr_bob']) {
    await users.insert({ id, email: `${id}@example.com`, status: 'active', tokenVersion: 1, createdAt: T0, updatedAt: T0 })
  }
  const clock = createManualClock(T0)
  const transact: Transact<WebAuthnStores> = (work) =>
    database.db.transaction().execute((trx) =>
      work({
        mfaFactors: createMfaFactorStore(trx),
        recoveryCodes: createRecoveryCodeStore(trx),
        webauthnChallenges: createWebAuthnChallengeStore(trx),
        events: createEventOutbox(trx),
      }),
    )
  const webauthn = createWebAuthnService({
    transact,
    clock,
    random: cryptoRandom,
    issuer: ISSUER,
    rpName: 'Tessera',
    recoveryCodes: createRecoveryCodeHasher(randomBytes(32)),
    policy: 'optional',
  })
  /** Registers a passkey for a user through the whole ceremony. */
  async function register(userId = 'usr_ann') {
    const authenticator = createSoftAuthenticator()
    const { challengeId, options } = await webauthn.beginRegistration({ userId, userName: `${userId}@example.com`, authTime: clock.now() })
    const { factor, recoveryCodes } = await webauthn.finishRegistration({
      userId,
      challengeId,
      response: authenticator.register(options, ORIGIN),
      name: 'Laptop',
      authTime: clock.now(),
      actor: ACTOR,
    })
    return { authenticator, factor, recoveryCodes }
  }
  return { webauthn, clock, register, factors: createMfaFactorStore(database.db) }
}

describe('WebAuthn ceremonies', () => {
  it('registers a discoverable, user-verifying passkey for the issuer’s host, and stores it', async () => {
    const { webauthn, clock, register } = await setUp()
    const { options } = await webauthn.beginRegistration({ userId: 'usr_ann', userName: 'ann@example.com', authTime: clock.now() })
    expect(options.rp.id).toBe('id.example.test')
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' })
    expect(Buffer.from(options.user.id, 'base64url').toString()).toBe('usr_ann')
    const { authenticator, factor, recoveryCodes } = await register()
    expect(recoveryCodes).toHaveLength(10)
    expect(factor).toMatchObject({
      kind: 'webauthn',
      name: 'Laptop',
      status: 'active',
      webauthn: { credentialId: authenticator.credentialId },
    })
    // A second registration excludes the credential already held.
    const again = await webauthn.beginRegistration({ userId: 'usr_ann', userName: 'ann@example.com', authTime: clock.now() })
    expect(again.options.excludeCredentials?.map((credential) => credential.id)).toEqual([authenticator.credentialId])
    // A second passkey does not hand out new recovery codes.
    expect((await register()).recoveryCodes).toBeNull()
  })

  it('refuses a registration answered for another origin, a reused challenge, or a stale sign-in', async () => {
    const { webauthn, clock } = await setUp()
    const authenticator = createSoftAuthenticator()
    const begin = () => webauthn.beginRegistration({ userId: 'usr_ann', userName: 'ann', authTime: clock.now() })
    const finish = (challengeId: string, response: ReturnType<typeof authenticator.register>, userId = 'usr_ann') =>
      webauthn.finishRegistration({ userId, challengeId, response, authTime: clock.now(), actor: ACTOR })
    const phished = await begin()
    expect(await codeOf(finish(phished.challengeId, authenticator.register(phished.options, 'https://id.example.test.evil.example')))).toBe(
      'invalid_mfa_code',
    )
    // The failed attempt spent the challenge: the right answer now comes too late.
    expect(await codeOf(finish(phished.challengeId, authenticator.register(phished.options, ORIGIN)))).toBe('invalid_mfa_code')
    const other = await begin()
    expect(await codeOf(finish(other.challengeId, authenticator.register(other.options, ORIGIN), 'usr_bob'))).toBe('invalid_mfa_code')
    const expired = await begin()
    clock.advance(5 * 60_000 + 1)
    // A ceremony lasts five minutes.
    expect(await codeOf(finish(expired.challengeId, authenticator.register(expired.options, ORIGIN)))).toBe('invalid_mfa_code')
    expect(
      await codeOf(webauthn.beginRegistration({ userId: 'usr_ann', userName: 'ann', authTime: clock.now() - RECENT_SIGN_IN_MS - 1 })),
    ).toBe('reauthentication_required')
  })

  it('signs in without a password: any discoverable credential, user verification required, the owner returned', async () => {
    const { webauthn, register } = await setUp()
    const { authenticator, factor } = await register()
    const { challengeId, options } = await webauthn.beginAuthentication({ userId: null })
    expect(options.allowCredentials).toEqual([])
    expect(options.userVerification).toBe('required')
    const result = await webauthn.finishAuthentication({ challengeId, userId: null, response: authenticator.authenticate(options, ORIGIN) })
    expect(result).toEqual({ userId: 'usr_ann', factorId: factor.id, userVerified: true })
    const next = await webauthn.beginAuthentication({ userId: null })
    const noUv = authenticator.authenticate(next.options, ORIGIN, { noUserVerification: true })
    expect(await codeOf(webauthn.finishAuthentication({ challengeId: next.challengeId, userId: null, response: noUv }))).toBe(
      'invalid_mfa_code',
    )
  })

  it('as a second factor, accepts only the signed-in user’s own credential', async () => {
    const { webauthn, register } = await setUp()
    const ann = await register('usr_ann')
    await register('usr_bob')
    const { challengeId, options } = await webauthn.beginAuthentication({ userId: 'usr_bob' })
    expect(options.allowCredentials).toHaveLength(1)
    // Ann's authenticator answers Bob's challenge: refused.
    expect(
      await codeOf(
        webauthn.finishAuthentication({ challengeId, userId: 'usr_bob', response: ann.authenticator.authenticate(options, ORIGIN) }),
      ),
    ).toBe('invalid_mfa_code')
    const own = await webauthn.beginAuthentication({ userId: 'usr_ann' })
    const ok = await webauthn.finishAuthentication({
      challengeId: own.challengeId,
      userId: 'usr_ann',
      response: ann.authenticator.authenticate(own.options, ORIGIN),
    })
    expect(ok.userId).toBe('usr_ann')
  })

  it('refuses a counter that went backwards (a cloned authenticator), another RP id, and a replayed challenge', async () => {
    const { webauthn, register, factors } = await setUp()
    const { authenticator, factor } = await register()
    const first = await webauthn.beginAuthentication({ userId: null })
    await webauthn.finishAuthentication({
      challengeId: first.challengeId,
      userId: null,
      response: authenticator.authenticate(first.options, ORIGIN, { counter: 10 }),
    })
    expect((await factors.findById(factor.id))?.webauthn?.counter).toBe(10)
    const cloned = await webauthn.beginAuthentication({ userId: null })
    const stale = authenticator.authenticate(cloned.options, ORIGIN, { counter: 9 })
    expect(await codeOf(webauthn.finishAuthentication({ challengeId: cloned.challengeId, userId: null, response: stale }))).toBe(
      'invalid_mfa_code',
    )
    const wrongRp = await webauthn.beginAuthentication({ userId: null })
    const forOther = authenticator.authenticate(wrongRp.options, ORIGIN, { rpId: 'example.test' })
    expect(await codeOf(webauthn.finishAuthentication({ challengeId: wrongRp.challengeId, userId: null, response: forOther }))).toBe(
      'invalid_mfa_code',
    )
    const good = await webauthn.beginAuthentication({ userId: null })
    const answer = authenticator.authenticate(good.options, ORIGIN, { counter: 11 })
    await webauthn.finishAuthentication({ challengeId: good.challengeId, userId: null, response: answer })
    expect(await codeOf(webauthn.finishAuthentication({ challengeId: good.challengeId, userId: null, response: answer }))).toBe(
      'invalid_mfa_code',
    )
  })
})
