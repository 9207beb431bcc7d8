import type { Application } from '../applications/application.js'
import type { AuthService } from '../auth/auth-service.js'
import type { AuthorizeService, AuthorizeStores } from '../authorize/authorize-service.js'
import type { Session } from '../sessions/session.js'
import { acrOf } from '../sessions/session-acr.js'
import type { Device } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { isTesseraError, TesseraError } from '../shared/errors.js'
import type { Transact } from '../store/transaction.js'
import type { User } from '../users/user.js'
import { AUTHENTICATION_STEPS, amrOf, type Flow, isAuthenticated, isSteppedUp, type StepName, WAITING_STEPS } from './flow.js'
import type { FlowService } from './flow-service.js'
import type { FlowStore } from './flow-store.js'
import { planStepUp, steppedUpAmr } from './step-up.js'
import type { FlowEmailVerification, SecondFactors, StepInput, UpstreamAccounts } from './steps/step.js'
import { STEPS } from './steps/steps.js'

/** The steps a login flow begins with: sign in, or create an account. */
export const SIGN_IN_STEPS: StepName[] = ['password', 'registration']

export interface LoginFlowDeps {
  flows: FlowService
  auth: Pick<AuthService, 'verifyPassword' | 'register' | 'createAccount' | 'startSession' | 'stepUpSession'>
  authorize: AuthorizeService
  findApplication(clientId: string): Promise<Application | null>
  transact: Transact<{ flows: FlowStore } & AuthorizeStores>
  clock: Clock
  secondFactors: SecondFactors
  /** Sign-in through upstream providers (issue 15); absent, the `upstream` step refuses. */
  upstream?: UpstreamAccounts
  /**
   * `signUp.requireVerifiedEmail`: registration creates no session and waits on `verify_email`,
   * the same for a new address and a taken one (accounts/sign-up-service.ts); so does a sign-in
   * of an unverified account; and a browser session of an unverified user counts as none.
   */
  verifiedEmail?: FlowEmailVerification
  /** With the setting off: the same, for a registration that chooses to verify its address in the flow. */
  optionalVerification?: FlowEmailVerification
}

/** A session the flow started; the caller hands its token to the browser (cookie) or the client (bearer). */
export interface SignedIn {
  user: User
  session: Session
  token: string
}

/** The browser's session as a flow sees it. */
export interface BrowserSession {
  session: { id: string; authTime: number; amr: readonly string[] }
  user: { id: string; email?: string; emailVerified?: boolean }
}

export type LoginOutcome =
  /** Back to the client: the code, or an error (RFC 6749 §4.1.2, RFC 9207). */
  | { kind: 'redirect'; url: string }
  /** The flow is stored and waits for one of `flow.next`. */
  | { kind: 'continue'; flow: Flow }
  /** Nothing left to do (a sign-in with no authorization request behind it). */
  | { kind: 'done'; flow: Flow }

export type LoginFlow = ReturnType<typeof createLoginFlow>

/**
 * The login flow: its steps authenticate the user and start the session (with the methods the
 * steps proved); when the flow serves an authorization request, it goes on to consent if the
 * client needs it, and ends by issuing the code, in the transaction that deletes the flow.
 */
export function createLoginFlow(deps: LoginFlowDeps) {
  const { flows, authorize } = deps

  /** Moves a flow on from where it is, given the session it has (if any), and stores the result. */
  async function resume(flow: Flow, before: Flow, binding: () => string, browser: BrowserSession | null): Promise<LoginOutcome> {
    // Issue 12: under signUp.requireVerifiedEmail an unverified user's session authorizes nothing.
    const session = browser && deps.verifiedEmail && browser.user.emailVerified === false ? null : browser
    // A second factor (or its enrolment, or showing its recovery codes) is pending (issue 13):
    // nothing else happens until it is answered.
    if (flow.next.some((step) => WAITING_STEPS.includes(step))) return { kind: 'continue', flow: await flows.save(flow, before, binding()) }
    const params = flow.context.authorization
    if (!params) {
      if (flow.next.length === 0) {
        await deps.transact((tx) => flows.endIn(tx, before))
        return { kind: 'done', flow }
      }
      return { kind: 'continue', flow: await flows.save(flow, before, binding()) }
    }
    const { stepUp: _stepUp, ...fresh } = flow.context
    const signInAgain = async () =>
      ({
        kind: 'continue',
        flow: await flows.save({ ...flow, context: fresh, next: SIGN_IN_STEPS, done: [], sessionId: null }, before, binding()),
      }) as const
    // Issue 13 §6: a live session that falls short steps up in place, proving only what it lacks.
    const stepUp = async (live: BrowserSession, stale: boolean, needsSecondFactor: boolean): Promise<LoginOutcome> => {
      const plan = planStepUp({
        session: live.session,
        user: { id: live.user.id, email: live.user.email ?? '' },
        stale,
        needsSecondFactor,
        factors: await deps.secondFactors.available(live.user.id),
        canEnrol: deps.secondFactors.canEnrol(),
        now: deps.clock.now(),
      })
      if (plan.kind === 'unmet' || live.user.email === undefined) {
        await deps.transact((tx) => flows.endIn(tx, before))
        return { kind: 'redirect', url: authorize.errorUrl(params, 'unmet_authentication_requirements') }
      }
      const next = { ...flow, context: { ...fresh, stepUp: plan.stepUp }, next: plan.next, done: [], userId: live.user.id, sessionId: null }
      return { kind: 'continue', flow: await flows.save(next, before, binding()) }
    }
    const application = await deps.findApplication(params.clientId)
    if (!application) throw new TesseraError('flow_expired')
    // A sign-in made during this flow satisfies prompt=login, max_age and acr_values; a flow not yet stored has had none.
    const since = before.version > 0 ? flow.createdAt : null
    const current = session ? { authTime: session.session.authTime, userId: session.user.id, amr: session.session.amr } : null
    const decision = await authorize.decide(params, application, current, since)
    const consented = flow.done.some((done) => done.step === 'consent')
    if (decision.kind === 'error') {
      await deps.transact((tx) => flows.endIn(tx, before))
      return { kind: 'redirect', url: authorize.errorUrl(params, decision.code) }
    }
    if (!session) return signInAgain()
    if (decision.kind === 'sign-in') {
      // prompt=login asks for a new sign-in, which may be someone else's: never a step-up.
      if (!decision.stale && !decision.weak) return signInAgain()
      return stepUp(session, decision.stale, decision.weak)
    }
    // docs/mfa.md "Policy": where a second factor is required, a one-factor session steps up with
    // the factor (or its enrolment) before the application gets a code.
    if (acrOf(session.session.amr) === 'urn:tessera:acr:sfa' && (await deps.secondFactors.required(params.clientId))) {
      if (!params.prompt.includes('none')) return stepUp(session, false, true)
      await deps.transact((tx) => flows.endIn(tx, before))
      return { kind: 'redirect', url: authorize.errorUrl(params, 'login_required') }
    }
    if (decision.kind === 'consent' && !consented)
      return { kind: 'continue', flow: await flows.save({ ...flow, next: ['consent'] }, before, binding()) }
    const url = await deps.transact(async (tx) => {
      await flows.endIn(tx, before)
      const { id, authTime, amr } = session.session
      return authorize.issueCodeIn(tx, params, { id, userId: session.user.id, authTime, amr }, consented)
    })
    return { kind: 'redirect', url }
  }

  return {
    resume,

    /**
     * Runs one step on the flow. Authentication steps may always be run again on a login flow
     * (signing in anew, or as someone else); other steps only when the flow waits for them. A step
     * that fails changes nothing. Once no authentication step is left, the session starts.
     */
    async submit(
      flow: Flow,
      binding: () => string,
      step: StepName,
      input: StepInput,
      device: Device,
      browser: BrowserSession | null,
    ): Promise<{ outcome: LoginOutcome; signedIn: SignedIn | null; recoveryCodes?: string[] }> {
      const authentication = AUTHENTICATION_STEPS.includes(step)
      if (!flow.next.includes(step) && !(flow.type === 'login' && authentication))
        throw new TesseraError('flow_expired', { detail: `the flow does not expect the step ${step}` })
      // docs/mfa.md "Step-up": a new account or an upstream sign-in is a sign-in from scratch, a new
      // session as with prompt=login; anything else must come from the browser whose session it steps up.
      const { stepUp: _stepUp, ...unstepped } = flow.context
      if (flow.context.stepUp && (step === 'registration' || step === 'upstream')) flow = { ...flow, context: unstepped }
      const stepUp = flow.context.stepUp
      if (stepUp && browser?.session.id !== stepUp.sessionId) throw new TesseraError('step_up_mismatch')
      let startedByStep: SignedIn | null = null
      let recoveryCodes: string[] | undefined
      let next: Flow
      const start = authentication ? { ...flow, done: [], next: SIGN_IN_STEPS, userId: stepUp ? stepUp.userId : flow.userId } : flow
      try {
        next = await STEPS[step].next(start, input, {
          now: deps.clock.now(),
          device,
          credentials: deps.auth,
          secondFactors: deps.secondFactors,
          ...(deps.upstream ? { upstream: deps.upstream } : {}),
          ...(deps.verifiedEmail ? { verification: deps.verifiedEmail } : {}),
          ...(!deps.verifiedEmail && deps.optionalVerification ? { offerVerification: deps.optionalVerification } : {}),
          sessionStarted: (started) => {
            startedByStep = started
          },
          recoveryCodesIssued: (codes) => {
            recoveryCodes = codes
          },
        })
      } catch (error) {
        // RFC 6749 §4.1.2.1: the user denied the request; the client hears it, and the flow ends.
        const params = flow.context.authorization
        if (isTesseraError(error) && error.code === 'access_denied' && params) {
          await deps.transact((tx) => flows.endIn(tx, flow))
          return { outcome: { kind: 'redirect', url: authorize.errorUrl(params, 'access_denied') }, signedIn: null }
        }
        throw error
      }
      // A passkey of another account cannot step this session up (a password step is for its account only).
      if (stepUp && next.userId !== stepUp.userId) throw new TesseraError('step_up_mismatch')
      let signedIn: SignedIn | null = null
      let session = browser
      const completes = authentication || step === 'verify_email' || step === 'second_factor' || step === 'second_factor_enrolment'
      if (stepUp && completes && isSteppedUp(next)) {
        // The same session, upgraded: its id and cookie stay, so nothing is handed to the browser.
        const upgraded = await deps.auth.stepUpSession(stepUp.sessionId, stepUp.userId, steppedUpAmr(stepUp, amrOf(next)), device)
        next = { ...next, context: unstepped, sessionId: stepUp.sessionId }
        session = { session: upgraded.session, user: upgraded.user }
      } else if (completes && isAuthenticated(next) && next.userId !== null) {
        // Issue 15 §3: an upstream identity waiting for proof is linked only to the account this
        // flow has just authenticated; any other outcome drops it.
        const userId = next.userId
        const { link, ...context } = next.context
        if (link) {
          next = { ...next, context }
          if (link.userId === userId && deps.upstream) await deps.upstream.completeLink(link, device)
        }
        const kind = next.done.some((done) => done.step === 'registration') ? 'registration' : 'sign_in'
        // Registration started its session in the transaction that created the account.
        // Issue 15 §5: a sign-in through a connection names it in `sign_in.succeeded`.
        const via = next.done.find((done) => done.step === 'upstream' && done.amr.includes('fed'))?.connectionId
        signedIn = startedByStep ?? (await deps.auth.startSession(userId, amrOf(next), device, kind, via ? { connectionId: via } : {}))
        next = { ...next, sessionId: signedIn.session.id }
        session = { session: signedIn.session, user: signedIn.user }
      }
      return { outcome: await resume(next, flow, binding, session), signedIn, ...(recoveryCodes ? { recoveryCodes } : {}) }
    },
  }
}
