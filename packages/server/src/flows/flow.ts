import type { AuthorizationParameters } from '../authorize/authorization-request.js'

/**
 * Self-service flows (docs/architecture.md §11), after Ory Kratos: a sign-in or sign-out in
 * progress is a server-side record with an id, an expiry, the browser it is bound to, the CSRF
 * token of its forms, the steps done so far and the steps that may come next. The hosted pages and
 * the JSON API drive the same flows, so a new step (a second factor, an upstream provider, email
 * verification) is one more module under steps/, written once.
 */
export type FlowType = 'login' | 'logout' | 'recovery'

/**
 * The steps known today. `password` signs in to an existing account and `registration` creates
 * one (both identify the user); `consent` answers a third-party client's request; `confirm_logout`
 * is the user's own confirmation of a sign-out; `second_factor` follows `password` for a user with
 * an authenticator app, a passkey or recovery codes (issue 13); `second_factor_enrolment` takes its
 * place when the policy requires a factor the user does not have, and `recovery_codes` waits for
 * the hosted page to show the codes that enrolment issued (mfa/mfa-policy.ts); `upstream` signs in
 * through another provider (issue 15); `verify_email` (issue 12) waits, under
 * `signUp.requireVerifiedEmail`, for the code or the link of the verification message before any
 * session starts. A `recovery` flow (issue 12, a forgotten password) has its own three:
 * `recovery_email`, `recovery_code` (the message's code) and `new_password`.
 */
export type StepName =
  | 'password'
  | 'registration'
  | 'second_factor'
  | 'second_factor_enrolment'
  | 'recovery_codes'
  | 'consent'
  | 'confirm_logout'
  | 'upstream'
  | 'passkey'
  | 'verify_email'
  | 'recovery_email'
  | 'recovery_code'
  | 'new_password'

/** Steps that authenticate the user: once none of them is pending, the flow can start a session. */
export const AUTHENTICATION_STEPS: readonly StepName[] = ['password', 'registration', 'upstream', 'passkey']

export interface StepDone {
  step: StepName
  /** RFC 8176 authentication method references the step proved (`pwd`, later `otp`, `hwk`, `fed`). */
  amr: string[]
  at: number
  /** Issue 15: the connection an `upstream` step signed in through (recorded in `sign_in.succeeded`). */
  connectionId?: string
}

/** An upstream user as the upstream vouched for them, after every check (connections/upstream-client.ts). */
export interface VerifiedUpstream {
  connectionId: string
  subject: string
  email: string | null
  /** True only for the JSON boolean `true`. */
  emailVerified: boolean
  name: string | null
}

/** Issue 15: a round trip to an upstream provider in progress (flows/upstream-routes.ts). */
export interface UpstreamRoundTrip {
  connectionId: string
  /** SHA-256 of the secret half of `state`; the other half is the flow's id. */
  stateHash: string
  nonce: string | null
  codeVerifier: string
  startedAt: number
  /** Set only in memory, by the callback, for the `upstream` step; never stored. */
  verified?: VerifiedUpstream
  /**
   * A round trip started over the flow API by a first-party app (flows/upstream-api.ts): where the
   * callback sends the browser back (a redirect URI of the app, matched exactly) and the app's own
   * `state`, echoed there.
   */
  app?: { returnTo: string; state: string | null }
  /**
   * Set by the callback of an app's round trip: the verified upstream user, waiting for the app to
   * redeem the return code (its SHA-256 here) with the flow's token. Not a credential by itself.
   */
  answer?: { profile: VerifiedUpstream; codeHash: string; at: number }
}

/** Issue 15 §3: an upstream identity waiting for its owner to prove control of the account it would join. */
export interface PendingLink {
  connectionId: string
  connectionName: string
  subject: string
  email: string
  userId: string
}

/** What the flow serves: the authorization request it will answer, or the logout it will perform. */
export interface FlowContext {
  authorization?: AuthorizationParameters
  logout?: { postLogoutRedirectUri: string | null; state: string | null }
  upstream?: UpstreamRoundTrip
  link?: PendingLink
  /** A sign-in for one of Tessera's own pages (docs/mfa.md): where to go once it is done; a `/ui/account` or `/ui/device` path only. */
  returnTo?: string
  /** Issue 15: a round trip started from the account page, to link an identity to this signed-in user. */
  linking?: { userId: string }
  /**
   * Issue 12: the address the `verify_email` step's message went to, for its resend action. Kept
   * on the server only: a flow whose registration hit a taken address has it too, and no user.
   */
  verification?: { email: string; optional?: boolean }
  /**
   * Issue 12, a recovery flow: the address asked for, its active account (null when it has none:
   * the flow goes on the same way and never passes its code step), and the fingerprint of the
   * password the message was sent for, which the new password must replace. Server side only.
   */
  recovery?: { email: string; userId: string | null; credentialStamp: number | null }
  /** Issue 13 §6: the browser's session falls short of the request and is being stepped up in place (flows/step-up.ts). */
  stepUp?: StepUp
}

/**
 * A step-up in progress (docs/mfa.md "Step-up"): the flow proves only what the session lacks and
 * then upgrades that same session. `second_factor` adds a factor to the session's methods;
 * `reauthenticate` proves the user again (a stale auth_time) and replaces them.
 */
export interface StepUp {
  mode: 'second_factor' | 'reauthenticate'
  sessionId: string
  userId: string
  /** The account's address: a password re-authentication is for this account only. */
  email: string
  /** The session's methods and sign-in time when the step-up began. */
  amr: string[]
  authTime: number
  /** When the step-up began: the second factor must follow within five minutes, as after a password. */
  at: number
  /** A user without a factor enrols one (an acr that needs two factors was asked, or the application requires it). */
  enrol: boolean
}

export interface Flow {
  /** 128 random bits, base64url. Not a bearer secret: the flow is bound to its browser. */
  id: string
  type: FlowType
  /** SHA-256 of the browser's binding secret (flows/browser-binding.ts). */
  bindingHash: string
  /** SHA-256 of the CSRF token of this version; a new version gets a new token. */
  csrfHash: string
  /** The steps that may come next, any one of them; empty once the flow is complete. */
  next: StepName[]
  done: StepDone[]
  /** The user the steps so far identified. */
  userId: string | null
  /** The session the flow started or continues (login), or the one it would end (logout). */
  sessionId: string | null
  /** The client the flow answers to, if any. */
  clientId: string | null
  context: FlowContext
  /** Raised by every change, so a stale form, a replay or a concurrent submit cannot apply twice. */
  version: number
  createdAt: number
  updatedAt: number
  expiresAt: number
}

/** The flow after `step`: recorded as done, with what may come next. A pure function. */
export function afterStep(
  flow: Flow,
  step: StepName,
  change: { amr: string[]; next: StepName[]; userId?: string; connectionId?: string },
  now: number,
): Flow {
  const done: StepDone = { step, amr: change.amr, at: now, ...(change.connectionId ? { connectionId: change.connectionId } : {}) }
  return {
    ...flow,
    done: [...flow.done, done],
    next: change.next,
    userId: change.userId ?? flow.userId,
  }
}

/** Steps that must be done before a session starts, besides the identifying ones. */
const PENDING_BEFORE_SESSION: readonly StepName[] = [...AUTHENTICATION_STEPS, 'verify_email', 'second_factor', 'second_factor_enrolment']

/** Steps the flow waits for even with a session: nothing goes back to the client before them. */
export const WAITING_STEPS: readonly StepName[] = ['verify_email', 'second_factor', 'second_factor_enrolment', 'recovery_codes']

/** True when no authentication step is pending and one was done: the user is authenticated. */
export function isAuthenticated(flow: Flow): boolean {
  return (
    flow.next.every((step) => !PENDING_BEFORE_SESSION.includes(step)) && flow.done.some((done) => AUTHENTICATION_STEPS.includes(done.step))
  )
}

/** True when a step-up flow has proved what it set out to and nothing it needs first is pending. */
export function isSteppedUp(flow: Flow): boolean {
  const proved = flow.done.some((done) => [...AUTHENTICATION_STEPS, 'second_factor', 'second_factor_enrolment'].includes(done.step))
  return flow.context.stepUp !== undefined && proved && flow.next.every((step) => !PENDING_BEFORE_SESSION.includes(step))
}

/** The session's authentication methods: every method the flow's steps proved, once each. */
export function amrOf(flow: Flow): string[] {
  return [...new Set(flow.done.flatMap((done) => done.amr))]
}
