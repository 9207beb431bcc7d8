import type { AuthService } from '../../auth/auth-service.js'
import type { Device } from '../../sessions/session-service.js'
import { TesseraError } from '../../shared/errors.js'
import type { Flow, PendingLink, StepName, VerifiedUpstream } from '../flow.js'

/** A step's input: the fields of its form or JSON body, as strings (absent when missing or repeated). */
export type StepInput = Readonly<Record<string, string | undefined>>

/** The kinds of second factor a sign-in can ask for (issue 13). */
export type SecondFactorKind = 'totp' | 'webauthn' | 'recovery_code'

/** The second-factor checks a flow needs; mfa/ implements them, the composition root wires them in. */
export interface SecondFactors {
  /** The kinds of second factor the user can answer with; empty when the user has none. */
  available(userId: string): Promise<SecondFactorKind[]>
  /**
   * Checks one answer (a code, a recovery code, or a WebAuthn assertion as JSON), throttled per
   * account; returns the RFC 8176 methods it proved, or throws `invalid_mfa_code`.
   */
  verify(userId: string, input: StepInput, device: Device): Promise<string[]>
  /** Whether a sign-in for this client (or none) must end with a second factor: the policy, or the application's `requireMfa`. */
  required(clientId: string | null): Promise<boolean>
  /** Whether a user may add a factor at all (`mfa.policy` is not `off`): a step-up may then enrol one. */
  canEnrol(): boolean
  /**
   * Activates the authenticator app the user is enrolling during sign-in with one code (throttled
   * per account); returns the recovery codes issued with a first factor, or null. `authTime` is
   * the password's time.
   */
  confirmEnrolment(userId: string, code: string, authTime: number, device: Device): Promise<string[] | null>
  /**
   * A passkey as the first (and only) factor: a discoverable credential's assertion with user
   * verification. Returns its owner and the RFC 8176 methods proved (`hwk`, `user`), or throws
   * `passkey_rejected`.
   */
  passwordless(input: StepInput, device: Device): Promise<{ userId: string; amr: string[] }>
}

/** For flows that never ask for a second factor (logout): none available, every answer refused. */
export const NO_SECOND_FACTORS: SecondFactors = {
  available: async () => [],
  verify: async () => {
    throw new TesseraError('invalid_mfa_code')
  },
  required: async () => false,
  canEnrol: () => false,
  passwordless: async () => {
    throw new TesseraError('passkey_rejected')
  },
  confirmEnrolment: async () => {
    throw new TesseraError('invalid_mfa_code')
  },
}

/** For flows that check no password (recovery): every sign-in refused. */
export const NO_CREDENTIALS: StepContext['credentials'] = {
  verifyPassword: async () => {
    throw new TesseraError('flow_expired')
  },
  register: async () => {
    throw new TesseraError('flow_expired')
  },
  createAccount: async () => {
    throw new TesseraError('flow_expired')
  },
}

/** Issue 15: what an upstream sign-in means for accounts; flows/upstream-accounts.ts implements it. */
export interface UpstreamAccounts {
  /**
   * `known`: the upstream user's linked account; `link`: an existing account the verified address
   * belongs to, to be proven by its owner first; `created`: a new account and its session, made in
   * one transaction. Refusals (`upstream_account_exists`, `upstream_sign_up_disabled`, …) throw.
   */
  signIn(
    profile: VerifiedUpstream,
    device: Device,
    /** False where a second factor must be enrolled first: a new account then starts without a session. */
    options: { startSession: boolean },
  ): Promise<
    | { kind: 'known'; userId: string }
    | { kind: 'link'; link: PendingLink }
    | { kind: 'created'; userId: string; started: Awaited<ReturnType<AuthService['register']>> | null }
  >
  /** Links the pending identity once the flow has authenticated its account's owner. */
  completeLink(link: PendingLink, device: Device): Promise<void>
}

/**
 * Issue 12, `signUp.requireVerifiedEmail`: what the `registration` and `verify_email` steps need of
 * accounts/ (accounts/flow-email-verification.ts implements it over the existing services and
 * token stores). Every answer is the same for a flow whose registration hit a taken address (no
 * user) and one with a new account, so the flow tells nothing about which addresses have accounts.
 */
export interface FlowEmailVerification {
  /**
   * Sign-up without enumeration (accounts/sign-up-service.ts): the new account's id, or null when
   * the address has an account already (its owner is told by email). No session either way.
   */
  signUp(input: { email: string; password: string }, device: Device): Promise<{ userId: string | null }>
  /** Whether the user's address is verified now (by the code, or by the link on any device). */
  isVerified(userId: string): Promise<boolean>
  /**
   * Checks the 6-digit code of the message (10 minutes, 5 wrong tries: accounts/account-token.ts),
   * and verifies the address; throws `verification_code_invalid` or `verification_code_exhausted`.
   * With no user, the wrong tries are counted under `flowId` and end the same way.
   */
  confirmCode(userId: string | null, flowId: string, code: string, device: Device): Promise<void>
  /** Sends the message again (throttled per address and IP, the same answer for every address). */
  resend(email: string, device: Device): Promise<void>
}

/**
 * Issue 12, a forgotten password as a `recovery` flow: what its steps need of accounts/
 * (accounts/flow-recovery.ts implements it over the password-reset service and its tokens). Every
 * answer is the same for an address with an active account and one without.
 */
export interface FlowRecovery {
  /** Asks for the reset message (a link and a code); limited per address and IP; the user (or null) for the server side only. */
  request(email: string, device: Device): Promise<{ userId: string | null; credentialStamp: number | null }>
  /**
   * Checks and spends the message's 6-digit code (10 minutes, 5 wrong tries); returns the
   * fingerprint of the password it was sent for. With no user, tries are counted under `flowId`.
   */
  confirmCode(userId: string | null, flowId: string, code: string): Promise<{ credentialStamp: number | null }>
  /** The new password, under the policy: every session revoked, reset links and codes dead, the owner told. */
  setPassword(userId: string, credentialStamp: number | null, password: string, device: Device): Promise<void>
  /** True when the password changed since `credentialStamp` (the message's link used on another device). */
  passwordChangedSince(userId: string, credentialStamp: number | null): Promise<boolean>
}

/** What a step may use besides the flow: the clock's reading, the device, the credential checks. */
export interface StepContext {
  now: number
  device: Device
  credentials: Pick<AuthService, 'verifyPassword' | 'register' | 'createAccount'>
  /** `signUp.requireVerifiedEmail` is on: identifying steps lead to `verify_email` for an unverified address. */
  verification?: FlowEmailVerification
  /** The setting is off: a registration may still ask to verify its address in the flow (`verifyEmail`), and may skip it. */
  offerVerification?: FlowEmailVerification
  /** The recovery flow's steps (issue 12). */
  recovery?: FlowRecovery
  secondFactors: SecondFactors
  /** Upstream sign-ins (issue 15); absent where no connection can be used. */
  upstream?: UpstreamAccounts
  /**
   * A step that starts the session itself hands it over here (registration: the account and its
   * session commit in one transaction, so a crash never leaves an account its creator was not
   * signed in to). The login flow then uses this session instead of starting another.
   */
  sessionStarted?: (started: Awaited<ReturnType<AuthService['register']>>) => void
  /** Recovery codes a step issued: shown once by the route (page or JSON), never stored in the flow. */
  recoveryCodesIssued?: (codes: string[]) => void
}

/**
 * One step of a flow: `next(flow, input) → flow`. It reads its input, proves what it proves and
 * returns the flow with the step recorded and what may come next; a failure is a typed error and
 * changes nothing in the flow (routes store only what a step returns). Pure where it can be.
 */
export interface Step {
  name: StepName
  next(flow: Flow, input: StepInput, context: StepContext): Promise<Flow>
}
