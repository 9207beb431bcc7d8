import type { Actor, EventOutbox } from '../events/event-outbox.js'
import type { RevocationLog } from '../revocation/revocation-log.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import type { UserStore } from '../users/user-store.js'
import { cleanFactorName } from './factor-name.js'
import { issueRecoveryCodes } from './issue-recovery-codes.js'
import type { MfaFactor } from './mfa-factor.js'
import type { MfaFactorStore } from './mfa-factor-store.js'
import type { MfaPolicy } from './mfa-policy.js'
import type { RecoveryCodeStore } from './recovery-code-store.js'
import type { RecoveryCodeHasher } from './recovery-codes.js'
import { isRecoveryCodeShape } from './recovery-codes.js'
import { createTotpEnrolment, matchTotpStep, totpUri } from './totp.js'
import type { TotpSecretBox } from './totp-secret-box.js'

/** The stores the MFA service uses, and nothing more. */
export interface MfaStores {
  mfaFactors: MfaFactorStore
  recoveryCodes: RecoveryCodeStore
  users: Pick<UserStore, 'findById' | 'raiseTokenVersion'>
  revocations: Pick<RevocationLog, 'append'>
  events: Pick<EventOutbox, 'append'>
}

export interface MfaServiceDeps {
  transact: Transact<MfaStores>
  clock: Clock
  random: RandomSource
  secretBox: TotpSecretBox
  recoveryCodes: RecoveryCodeHasher
  /** The issuer's name in authenticator apps ("Tessera", or the product's name). */
  issuerName: string
  /** How long a revocation-log entry must be kept (the longest access-token lifetime). */
  revocationRetentionMs: number
  /** `off` refuses new factors; `required` refuses removing the last one (docs/mfa.md "Policy"). */
  policy: MfaPolicy
}

/** Issue 13: adding or removing a factor, or new recovery codes, needs a sign-in this recent. */
export const RECENT_SIGN_IN_MS = 5 * 60_000

export type MfaService = ReturnType<typeof createMfaService>

export function createMfaService(deps: MfaServiceDeps) {
  const { transact, clock } = deps

  return {
    /**
     * Starts a TOTP enrolment: a pending factor with a new secret, returned once so the user can
     * scan it. It becomes active only when the user confirms one code (proof of possession).
     */
    async beginTotp(input: { userId: string; account: string; name?: string; authTime: number }) {
      requireRecentSignIn(input.authTime, clock.now())
      if (deps.policy === 'off') throw new TesseraError('mfa_disabled')
      const id = `mfa_${randomToken(deps.random, 16)}`
      const enrolment = createTotpEnrolment({ issuer: deps.issuerName, account: input.account })
      await transact(async (tx) => {
        const now = clock.now()
        await tx.mfaFactors.deletePending(input.userId, 'totp')
        await tx.mfaFactors.insert({
          id,
          userId: input.userId,
          kind: 'totp',
          name: cleanFactorName(input.name, 'Authenticator app'),
          status: 'pending',
          totp: { sealedSecret: deps.secretBox.seal(id, enrolment.secret), lastStep: null },
          webauthn: null,
          createdAt: now,
          confirmedAt: null,
          lastUsedAt: null,
        })
      })
      return { factorId: id, ...enrolment }
    },

    /** Whether users may add factors: every `mfa.policy` but `off` (docs/mfa.md "Policy"). */
    canEnrol(): boolean {
      return deps.policy !== 'off'
    },

    /**
     * The authenticator app the user is enrolling: the pending one, shown again (a page reloaded,
     * or a wrong code typed), or a new one. The secret is the user's own, in a flow bound to them.
     */
    async currentTotp(input: { userId: string; account: string; authTime: number }) {
      requireRecentSignIn(input.authTime, clock.now())
      const factors = await transact((tx) => tx.mfaFactors.listByUser(input.userId))
      const pending = factors.find((factor) => factor.kind === 'totp' && factor.status === 'pending')
      if (!pending?.totp) return this.beginTotp(input)
      const secret = deps.secretBox.open(pending.id, pending.totp.sealedSecret)
      return { factorId: pending.id, secret, uri: totpUri(secret, { issuer: deps.issuerName, account: input.account }) }
    },

    /**
     * Activates a pending TOTP factor with one code. The first factor a user adds comes with a
     * set of recovery codes, returned once and stored only as hashes.
     */
    async confirmTotp(input: { userId: string; code: string; authTime: number; actor: Actor }) {
      requireRecentSignIn(input.authTime, clock.now())
      if (deps.policy === 'off') throw new TesseraError('mfa_disabled')
      return transact(async (tx) => {
        const now = clock.now()
        const factors = await tx.mfaFactors.listByUser(input.userId)
        const pending = factors.find((factor) => factor.kind === 'totp' && factor.status === 'pending')
        if (!pending?.totp) throw new TesseraError('mfa_factor_not_found', { detail: 'no authenticator app enrolment is waiting' })
        const step = matchTotpStep(deps.secretBox.open(pending.id, pending.totp.sealedSecret), input.code, now)
        if (step === null || !(await tx.mfaFactors.acceptTotpStep(pending.id, step, now))) throw new TesseraError('invalid_mfa_code')
        await tx.mfaFactors.activate(pending.id, now)
        const first = !factors.some((factor) => factor.status === 'active')
        const recoveryCodes = first ? await replaceRecoveryCodes(tx, input.userId, now) : null
        await tx.events.append({
          type: 'mfa.factor_added',
          actor: input.actor,
          userId: input.userId,
          payload: { factorId: pending.id, kind: 'totp' },
          ip: input.actor.ip ?? null,
          createdAt: now,
        })
        return { factorId: pending.id, recoveryCodes }
      })
    },

    /**
     * Checks a TOTP code against the user's active authenticator apps. A code is accepted once:
     * its time step must be later than the last one accepted for that factor (RFC 6238 §5.2).
     */
    async verifyTotp(userId: string, code: string): Promise<boolean> {
      return transact(async (tx) => {
        const now = clock.now()
        for (const factor of await tx.mfaFactors.listByUser(userId)) {
          if (factor.kind !== 'totp' || factor.status !== 'active' || !factor.totp) continue
          const step = matchTotpStep(deps.secretBox.open(factor.id, factor.totp.sealedSecret), code, now)
          if (step !== null) return tx.mfaFactors.acceptTotpStep(factor.id, step, now)
        }
        return false
      })
    },

    /** Spends one recovery code; true when it was one of the user's unused codes. */
    async useRecoveryCode(userId: string, code: string, actor: Actor): Promise<boolean> {
      if (!isRecoveryCodeShape(code)) return false
      return transact(async (tx) => {
        const now = clock.now()
        const match = (await tx.recoveryCodes.listUnused(userId)).find((hash) => deps.recoveryCodes.matches(code, hash))
        if (match === undefined || !(await tx.recoveryCodes.markUsed(userId, match, now))) return false
        await tx.events.append({
          type: 'mfa.recovery_code_used',
          actor,
          userId,
          payload: {},
          ip: actor.ip ?? null,
          createdAt: now,
        })
        return true
      })
    },

    /** A new set of recovery codes; the old set is void. */
    async regenerateRecoveryCodes(input: { userId: string; authTime: number; actor: Actor }): Promise<string[]> {
      requireRecentSignIn(input.authTime, clock.now())
      return transact(async (tx) => {
        const now = clock.now()
        const active = (await tx.mfaFactors.listByUser(input.userId)).some((factor) => factor.status === 'active')
        if (!active) throw new TesseraError('mfa_factor_not_found', { detail: 'add a second factor first' })
        const codes = await replaceRecoveryCodes(tx, input.userId, now)
        await tx.events.append({
          type: 'mfa.recovery_codes_generated',
          actor: input.actor,
          userId: input.userId,
          payload: {},
          ip: input.actor.ip ?? null,
          createdAt: now,
        })
        return codes
      })
    },

    /** Whether the user still has an unused recovery code. */
    async hasRecoveryCodes(userId: string): Promise<boolean> {
      return transact(async (tx) => (await tx.recoveryCodes.listUnused(userId)).length > 0)
    },

    /** How many unused recovery codes the user has (an operator's view). */
    async recoveryCodesLeft(userId: string): Promise<number> {
      return transact(async (tx) => (await tx.recoveryCodes.listUnused(userId)).length)
    },

    /** The user's active factors (pending enrolments are not factors yet). */
    async list(userId: string): Promise<MfaFactor[]> {
      return transact(async (tx) => (await tx.mfaFactors.listByUser(userId)).filter((factor) => factor.status === 'active'))
    },

    /**
     * Removes one factor. The user's token version rises, so every token issued before the change
     * dies (a stolen session cannot keep a weakened account's tokens alive).
     */
    async remove(input: { userId: string; factorId: string; authTime: number; actor: Actor }): Promise<void> {
      requireRecentSignIn(input.authTime, clock.now())
      await transact(async (tx) => {
        const now = clock.now()
        const factor = await tx.mfaFactors.findById(input.factorId)
        if (!factor || factor.userId !== input.userId) throw new TesseraError('mfa_factor_not_found')
        await tx.mfaFactors.delete(factor.id)
        // The user's row is updated (and so locked) before the factors are counted: a second removal
        // racing this one waits for it, then counts what it left, so two cannot both leave none.
        await raiseTokenVersion(tx, input.userId, now)
        const remaining = (await tx.mfaFactors.listByUser(input.userId)).filter((each) => each.status === 'active')
        if (deps.policy === 'required' && factor.status === 'active' && remaining.length === 0)
          throw new TesseraError('last_factor_required')
        if (remaining.length === 0) await tx.recoveryCodes.replaceAll(input.userId, [], now)
        await tx.events.append({
          type: 'mfa.factor_removed',
          actor: input.actor,
          userId: input.userId,
          payload: { factorId: factor.id, kind: factor.kind },
          ip: input.actor.ip ?? null,
          createdAt: now,
        })
      })
    },

    /**
     * Renames one of the user's own factors (a passkey, an authenticator app): printable characters,
     * trimmed, 1 to 64 (factor-name.ts); another user's factor is "not found". A name is no credential,
     * so no recent sign-in is needed and the token version stays; the change is audited.
     */
    async rename(input: { userId: string; factorId: string; name: string; actor: Actor }): Promise<MfaFactor> {
      const name = cleanFactorName(input.name, '')
      if (name === '' || input.name.length > 64)
        throw new TesseraError('invalid_request', { detail: 'a name is 1 to 64 printable characters' })
      return transact(async (tx) => {
        const now = clock.now()
        const factor = await tx.mfaFactors.findById(input.factorId)
        if (!factor || factor.userId !== input.userId || !(await tx.mfaFactors.rename(factor.id, input.userId, name)))
          throw new TesseraError('mfa_factor_not_found')
        await tx.events.append({
          type: 'mfa.factor_renamed',
          actor: input.actor,
          userId: input.userId,
          payload: { factorId: factor.id, kind: factor.kind, name },
          ip: input.actor.ip ?? null,
          createdAt: now,
        })
        return { ...factor, name }
      })
    },

    /** An operator's reset: every factor and recovery code of the user goes, and the token version rises. */
    async reset(userId: string, actor: Actor): Promise<number> {
      return transact(async (tx) => {
        const now = clock.now()
        if (!(await tx.users.findById(userId))) throw new TesseraError('user_not_found')
        const removed = await tx.mfaFactors.deleteAllOfUser(userId)
        await tx.recoveryCodes.replaceAll(userId, [], now)
        await raiseTokenVersion(tx, userId, now)
        await tx.events.append({
          type: 'mfa.factors_reset',
          actor,
          userId,
          payload: { removed },
          ip: actor.ip ?? null,
          createdAt: now,
        })
        return removed
      })
    },
  }

  function replaceRecoveryCodes(tx: MfaStores, userId: string, now: number): Promise<string[]> {
    return issueRecoveryCodes(tx, { random: deps.random, hasher: deps.recoveryCodes }, userId, now)
  }

  // docs/architecture.md §2: a raised token version kills every token issued before it, everywhere.
  async function raiseTokenVersion(tx: MfaStores, userId: string, now: number): Promise<void> {
    const version = await tx.users.raiseTokenVersion(userId, now)
    if (version !== null) {
      await tx.revocations.append(
        { kind: 'user_token_version', sub: userId, minTokenVersion: version },
        now,
        now + deps.revocationRetentionMs,
      )
    }
  }
}

/** Issue 13 and NIST SP 800-63B §6.1.2.1: binding or removing an authenticator needs a recent authentication. */
function requireRecentSignIn(authTime: number, now: number): void {
  if (now - authTime > RECENT_SIGN_IN_MS) throw new TesseraError('reauthentication_required')
}
