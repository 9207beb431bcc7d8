import type { AuthenticationResponseJSON, AuthenticatorTransportFuture, RegistrationResponseJSON } from '@simplewebauthn/server'
import type { Actor, EventOutbox } from '../events/event-outbox.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import { loadOnce } from '../shared/load-once.js'
import { type RandomSource, randomToken } from '../shared/random.js'
import type { Transact } from '../store/transaction.js'
import { cleanFactorName } from './factor-name.js'
import { issueRecoveryCodes } from './issue-recovery-codes.js'
import type { MfaFactor } from './mfa-factor.js'
import type { MfaFactorStore } from './mfa-factor-store.js'
import type { MfaPolicy } from './mfa-policy.js'
import { RECENT_SIGN_IN_MS } from './mfa-service.js'
import type { RecoveryCodeStore } from './recovery-code-store.js'
import type { RecoveryCodeHasher } from './recovery-codes.js'
import type { WebAuthnChallengeStore } from './webauthn-challenge-store.js'

/** @simplewebauthn/server is the largest library only passkeys need; loaded on the first ceremony. */
const webauthnLibrary = loadOnce(() => import('@simplewebauthn/server'))

export interface WebAuthnStores {
  mfaFactors: MfaFactorStore
  recoveryCodes: RecoveryCodeStore
  webauthnChallenges: WebAuthnChallengeStore
  events: Pick<EventOutbox, 'append'>
}

export interface WebAuthnServiceDeps {
  transact: Transact<WebAuthnStores>
  clock: Clock
  random: RandomSource
  /** The relying party: the issuer's host is the RP id, its origin the only accepted origin. */
  issuer: string
  /** Shown by the authenticator when a passkey is created. */
  rpName: string
  recoveryCodes: RecoveryCodeHasher
  /** Under `off`, no passkey can be added (docs/mfa.md "Policy"). */
  policy: MfaPolicy
}

/** WebAuthn Level 3 §5.4.7 suggests 5 to 10 minutes for a ceremony; the issue allows 5. */
const CEREMONY_MS = 5 * 60_000

export type WebAuthnService = ReturnType<typeof createWebAuthnService>

/**
 * WebAuthn registration and authentication ceremonies (issue 13), with `@simplewebauthn/server`
 * doing the verification. Challenges are stored server-side, single use and short-lived. A
 * credential is created as a discoverable passkey with user verification, so it can serve as a
 * first factor (passwordless) as well as a second.
 */
export function createWebAuthnService(deps: WebAuthnServiceDeps) {
  const { transact, clock } = deps
  const origin = new URL(deps.issuer).origin
  const rpID = new URL(deps.issuer).hostname

  async function storeChallenge(purpose: 'register' | 'second_factor' | 'passwordless', userId: string | null, challenge: string) {
    const id = `wac_${randomToken(deps.random, 16)}`
    const now = clock.now()
    await transact((tx) => tx.webauthnChallenges.insert({ id, purpose, userId, challenge, createdAt: now, expiresAt: now + CEREMONY_MS }))
    return id
  }

  /**
   * Takes the challenge out in a transaction of its own, so it is spent even when the ceremony
   * then fails: a challenge gets one answer, right or wrong.
   */
  async function takeChallenge(id: string, purpose: 'register' | 'second_factor' | 'passwordless', userId: string | null) {
    const challenge = await transact((tx) => tx.webauthnChallenges.consume(id, clock.now()))
    if (!challenge || challenge.purpose !== purpose || challenge.userId !== userId) {
      throw new TesseraError('invalid_mfa_code', { detail: 'the WebAuthn ceremony is unknown, expired, already used or not yours' })
    }
    return challenge
  }

  return {
    rpID,

    /** Options for `navigator.credentials.create()`; the user's existing credentials are excluded. */
    async beginRegistration(input: { userId: string; userName: string; authTime: number }) {
      if (clock.now() - input.authTime > RECENT_SIGN_IN_MS) throw new TesseraError('reauthentication_required')
      if (deps.policy === 'off') throw new TesseraError('mfa_disabled')
      const existing = await transact((tx) => tx.mfaFactors.listByUser(input.userId))
      const options = await (await webauthnLibrary()).generateRegistrationOptions({
        rpName: deps.rpName,
        rpID,
        userName: input.userName,
        // The user handle is the user's random id: no personal data (WebAuthn Level 3 §14.6.1).
        userID: new Uint8Array(Buffer.from(input.userId, 'utf8')),
        challenge: new Uint8Array(deps.random.bytes(32)),
        attestationType: 'none',
        excludeCredentials: existing.flatMap((factor) =>
          factor.webauthn
            ? [{ id: factor.webauthn.credentialId, transports: factor.webauthn.transports as AuthenticatorTransportFuture[] }]
            : [],
        ),
        // Discoverable and user-verifying, so the same passkey can sign in without a password.
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        timeout: CEREMONY_MS,
      })
      const challengeId = await storeChallenge('register', input.userId, options.challenge)
      return { challengeId, options }
    },

    /** Verifies the authenticator's answer and stores the credential, active at once. */
    async finishRegistration(input: {
      userId: string
      challengeId: string
      response: RegistrationResponseJSON
      name?: string
      authTime: number
      actor: Actor
    }): Promise<{ factor: MfaFactor; recoveryCodes: string[] | null }> {
      if (clock.now() - input.authTime > RECENT_SIGN_IN_MS) throw new TesseraError('reauthentication_required')
      if (deps.policy === 'off') throw new TesseraError('mfa_disabled')
      const challenge = await takeChallenge(input.challengeId, 'register', input.userId)
      return transact(async (tx) => {
        const verification = await (await webauthnLibrary())
          .verifyRegistrationResponse({
            response: input.response,
            expectedChallenge: challenge.challenge,
            expectedOrigin: origin,
            expectedRPID: rpID,
            requireUserVerification: true,
          })
          .catch(() => ({ verified: false as const }))
        if (!verification.verified) throw new TesseraError('invalid_mfa_code', { detail: 'the passkey registration did not verify' })
        const info = verification.registrationInfo
        if (await tx.mfaFactors.findByCredentialId(info.credential.id)) {
          throw new TesseraError('invalid_mfa_code', { detail: 'this passkey is already registered' })
        }
        const now = clock.now()
        const first = !(await tx.mfaFactors.listByUser(input.userId)).some((each) => each.status === 'active')
        const factor: MfaFactor = {
          id: `mfa_${randomToken(deps.random, 16)}`,
          userId: input.userId,
          kind: 'webauthn',
          name: cleanFactorName(input.name, 'Passkey'),
          status: 'active',
          totp: null,
          webauthn: {
            credentialId: info.credential.id,
            publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
            counter: info.credential.counter,
            transports: info.credential.transports ?? [],
            backedUp: info.credentialBackedUp,
            deviceType: info.credentialDeviceType,
          },
          createdAt: now,
          confirmedAt: now,
          lastUsedAt: null,
        }
        await tx.mfaFactors.insert(factor)
        // The first factor a user adds comes with recovery codes, as for an authenticator app.
        const recoveryCodes = first
          ? await issueRecoveryCodes(tx, { random: deps.random, hasher: deps.recoveryCodes }, input.userId, now)
          : null
        await tx.events.append({
          type: 'mfa.factor_added',
          actor: input.actor,
          userId: input.userId,
          payload: { factorId: factor.id, kind: 'webauthn' },
          ip: input.actor.ip ?? null,
          createdAt: now,
        })
        return { factor, recoveryCodes }
      })
    },

    /** Whose passkey a credential id names, if it is an active one (for the account's throttle). */
    async ownerOf(credentialId: string): Promise<string | null> {
      const factor = await transact((tx) => tx.mfaFactors.findByCredentialId(credentialId))
      return factor?.status === 'active' ? factor.userId : null
    },

    /**
     * Options for `navigator.credentials.get()`. With a user (a second factor), only that user's
     * credentials are allowed; without one (passwordless, including the browser's autofill), any
     * discoverable credential may answer and user verification is required.
     */
    async beginAuthentication(input: { userId: string | null }) {
      const allowCredentials =
        input.userId === null
          ? []
          : (await transact((tx) => tx.mfaFactors.listByUser(input.userId as string))).flatMap((factor) =>
              factor.webauthn && factor.status === 'active'
                ? [{ id: factor.webauthn.credentialId, transports: factor.webauthn.transports as AuthenticatorTransportFuture[] }]
                : [],
            )
      const options = await (await webauthnLibrary()).generateAuthenticationOptions({
        rpID,
        allowCredentials,
        challenge: new Uint8Array(deps.random.bytes(32)),
        userVerification: input.userId === null ? 'required' : 'preferred',
        timeout: CEREMONY_MS,
      })
      const challengeId = await storeChallenge(input.userId === null ? 'passwordless' : 'second_factor', input.userId, options.challenge)
      return { challengeId, options }
    },

    /**
     * Verifies an assertion: the challenge (single use), the origin and RP id, the signature with
     * the stored public key, user verification for passwordless use, and the signature counter
     * (a counter that does not move forward, where the authenticator keeps one, means a cloned
     * authenticator: WebAuthn Level 3 §6.1.1). Returns whose credential it was.
     */
    async finishAuthentication(input: {
      challengeId: string
      userId: string | null
      response: AuthenticationResponseJSON
    }): Promise<{ userId: string; factorId: string; userVerified: boolean }> {
      const passwordless = input.userId === null
      const challenge = await takeChallenge(input.challengeId, passwordless ? 'passwordless' : 'second_factor', input.userId)
      const refuse = (detail: string) => new TesseraError('invalid_mfa_code', { detail })
      return transact(async (tx) => {
        const factor = await tx.mfaFactors.findByCredentialId(String(input.response.id))
        if (!factor?.webauthn || factor.status !== 'active') throw refuse('unknown passkey')
        if (!passwordless && factor.userId !== input.userId) throw refuse('the passkey belongs to another account')
        // A discoverable credential names its user: it must be the credential's owner.
        const handle = input.response.response.userHandle
        if (handle !== undefined && Buffer.from(handle, 'base64url').toString('utf8') !== factor.userId)
          throw refuse('user handle mismatch')
        const verification = await (await webauthnLibrary())
          .verifyAuthenticationResponse({
            response: input.response,
            expectedChallenge: challenge.challenge,
            expectedOrigin: origin,
            expectedRPID: rpID,
            credential: {
              id: factor.webauthn.credentialId,
              publicKey: new Uint8Array(Buffer.from(factor.webauthn.publicKey, 'base64url')),
              counter: factor.webauthn.counter,
              transports: factor.webauthn.transports as AuthenticatorTransportFuture[],
            },
            requireUserVerification: passwordless,
          })
          .catch(() => null)
        if (!verification?.verified) throw refuse('the assertion did not verify')
        const info = verification.authenticationInfo
        await tx.mfaFactors.recordWebAuthnUse(factor.id, info.newCounter, info.credentialBackedUp, clock.now())
        return { userId: factor.userId, factorId: factor.id, userVerified: info.userVerified }
      })
    },
  }
}
