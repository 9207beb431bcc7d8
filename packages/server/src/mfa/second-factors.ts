import type { AuthenticationResponseJSON } from '@simplewebauthn/server'
import { isTesseraError, TesseraError } from '../shared/errors.js'
import type { UserStore } from '../users/user-store.js'
import type { MfaService } from './mfa-service.js'
import type { WebAuthnService } from './webauthn-service.js'

type Kind = 'totp' | 'webauthn' | 'recovery_code'

export interface SecondFactorsDeps {
  mfa: Pick<MfaService, 'list' | 'verifyTotp' | 'useRecoveryCode' | 'hasRecoveryCodes' | 'confirmTotp' | 'currentTotp' | 'canEnrol'>
  webauthn: Pick<WebAuthnService, 'finishAuthentication' | 'ownerOf'>
  /** Runs a check under the account's sign-in throttle (auth/auth-service.ts `guardSecondFactor`). */
  guard: (userId: string, device: { ip: string | null; userAgent: string | null }, attempt: () => Promise<boolean>) => Promise<void>
  /** Whether a sign-in for a client must end with a second factor (mfa-policy.ts). */
  required: (clientId: string | null) => Promise<boolean>
  users: Pick<UserStore, 'findById'>
}

/**
 * The second factors a login flow can ask for (flows/steps/second-factor-step.ts): what a user
 * has, and the check of one answer. Every answer goes through the account's throttle.
 */
export function createSecondFactors(deps: SecondFactorsDeps) {
  return {
    async available(userId: string): Promise<Kind[]> {
      const factors = await deps.mfa.list(userId)
      const kinds = new Set<Kind>(factors.map((factor) => factor.kind))
      if (kinds.size > 0 && (await deps.mfa.hasRecoveryCodes(userId))) kinds.add('recovery_code')
      return (['totp', 'webauthn', 'recovery_code'] as const).filter((kind) => kinds.has(kind))
    },

    required: deps.required,

    canEnrol: () => deps.mfa.canEnrol(),

    /** The authenticator app being enrolled during sign-in: its secret and URI, for the page or the JSON client. */
    async enrolment(userId: string, authTime: number) {
      const user = await deps.users.findById(userId)
      const begun = await deps.mfa.currentTotp({ userId, account: user?.email ?? userId, authTime })
      return { secret: begun.secret, uri: begun.uri }
    },

    async confirmEnrolment(userId: string, code: string, authTime: number, device: { ip: string | null; userAgent: string | null }) {
      let codes: string[] | null = null
      await deps.guard(userId, device, async () => {
        try {
          const actor = { kind: 'user' as const, id: userId, ...(device.ip ? { ip: device.ip } : {}) }
          codes = (await deps.mfa.confirmTotp({ userId, code, authTime, actor })).recoveryCodes
          return true
        } catch (error) {
          // A wrong code counts as a failed sign-in like any second factor's; other refusals pass through.
          if (isTesseraError(error) && error.code === 'invalid_mfa_code') return false
          throw error
        }
      })
      return codes
    },

    async passwordless(input: Readonly<Record<string, string | undefined>>, device: { ip: string | null; userAgent: string | null }) {
      const assertion = parseAssertion(input.assertion)
      const challengeId = input.webauthnChallengeId
      if (!assertion || challengeId === undefined) throw new TesseraError('passkey_rejected')
      // The service requires user verification for a passkey with no user named (webauthn-service.ts).
      const finish = () => deps.webauthn.finishAuthentication({ challengeId, userId: null, response: assertion }).catch(() => null)
      const owner = await deps.webauthn.ownerOf(String(assertion.id))
      if (owner === null) {
        await finish() // an unknown passkey still spends the challenge
        throw new TesseraError('passkey_rejected')
      }
      // A failed assertion for a known passkey counts against its account, as a wrong password does.
      let userId: string | null = null
      await deps
        .guard(owner, device, async () => {
          userId = (await finish())?.userId ?? null
          return userId !== null
        })
        .catch((error: unknown) => {
          throw isTesseraError(error) && error.code === 'invalid_mfa_code' ? new TesseraError('passkey_rejected') : error
        })
      if (userId === null) throw new TesseraError('passkey_rejected')
      return { userId, amr: ['hwk', 'user'] }
    },

    /** The RFC 8176 methods the answer proved; `invalid_mfa_code` (throttled) when it proves nothing. */
    async verify(
      userId: string,
      input: Readonly<Record<string, string | undefined>>,
      device: { ip: string | null; userAgent: string | null },
    ): Promise<string[]> {
      let amr: string[] = []
      await deps.guard(userId, device, async () => {
        switch (input.factor) {
          case 'totp':
            amr = ['otp']
            return deps.mfa.verifyTotp(userId, input.code ?? '')
          case 'recovery_code':
            amr = ['otp']
            return deps.mfa.useRecoveryCode(userId, input.code ?? '', { kind: 'user', id: userId, ...(device.ip ? { ip: device.ip } : {}) })
          case 'webauthn': {
            const assertion = parseAssertion(input.assertion)
            if (!assertion || input.webauthnChallengeId === undefined) return false
            const result = await deps.webauthn
              .finishAuthentication({ challengeId: input.webauthnChallengeId, userId, response: assertion })
              .catch(() => null)
            if (!result) return false
            // A key held by an authenticator (RFC 8176 `hwk`); user verification adds `user`.
            amr = result.userVerified ? ['hwk', 'user'] : ['hwk']
            return true
          }
          default:
            return false
        }
      })
      return amr
    },
  }
}

function parseAssertion(json: string | undefined): AuthenticationResponseJSON | null {
  if (json === undefined || json.length > 16_384) return null
  try {
    const value = JSON.parse(json) as unknown
    return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string'
      ? (value as AuthenticationResponseJSON)
      : null
  } catch {
    return null
  }
}
