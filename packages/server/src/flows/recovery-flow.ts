import type { Device } from '../sessions/session-service.js'
import type { Clock } from '../shared/clock.js'
import { TesseraError } from '../shared/errors.js'
import type { Transact } from '../store/transaction.js'
import type { Flow, StepName } from './flow.js'
import type { FlowService } from './flow-service.js'
import type { FlowStore } from './flow-store.js'
import { type FlowRecovery, NO_CREDENTIALS, NO_SECOND_FACTORS, type StepInput } from './steps/step.js'
import { STEPS } from './steps/steps.js'

/** The steps of a recovery flow, in order. */
export const RECOVERY_STEPS: readonly StepName[] = ['recovery_email', 'recovery_code', 'new_password']

export interface RecoveryFlowDeps {
  flows: FlowService
  transact: Transact<{ flows: FlowStore }>
  clock: Clock
  recovery: FlowRecovery
}

export type RecoveryFlow = ReturnType<typeof createRecoveryFlow>

export type RecoveryOutcome =
  /** The flow is stored and waits for one of `flow.next`. */
  | { kind: 'continue'; flow: Flow }
  /** The new password is set; the flow is deleted. */
  | { kind: 'done'; flow: Flow }

/**
 * A forgotten password as a self-service flow (issue 12, docs/architecture.md §11): the address,
 * then the message's code (or its link, which opens the link's own page: accounts/), then the new
 * password. The hosted pages and `/v1/flows` drive the same flow; routes only load it, run one
 * step and store the result, as for the login flow.
 */
export function createRecoveryFlow(deps: RecoveryFlowDeps) {
  const { flows } = deps
  return {
    start(): Flow {
      return flows.start('recovery', { next: ['recovery_email'] })
    },

    /**
     * Runs one step. The address may be given again while the code is awaited (a typo): the flow
     * then starts over from it. A step that fails changes nothing; the last one ends the flow.
     */
    async submit(flow: Flow, binding: () => string, step: StepName, input: StepInput, device: Device): Promise<RecoveryOutcome> {
      if (flow.type !== 'recovery' || !RECOVERY_STEPS.includes(step)) {
        throw new TesseraError('flow_expired', { detail: `a recovery flow has no step ${step}` })
      }
      const again = step === 'recovery_email' && flow.next.includes('recovery_code')
      if (!flow.next.includes(step) && !again)
        throw new TesseraError('flow_expired', { detail: `the flow does not expect the step ${step}` })
      const from = again ? { ...flow, done: [], userId: null } : flow
      const next = await STEPS[step].next(from, input, {
        now: deps.clock.now(),
        device,
        credentials: NO_CREDENTIALS,
        secondFactors: NO_SECOND_FACTORS,
        recovery: deps.recovery,
      })
      if (next.next.length === 0) {
        await deps.transact((tx) => flows.endIn(tx, flow))
        return { kind: 'done', flow: next }
      }
      return { kind: 'continue', flow: await flows.save(next, flow, binding()) }
    },

    /** True when the flow's account has a new password since its message (its link used elsewhere): the flow has nothing left to do. */
    async passwordChangedElsewhere(flow: Flow): Promise<boolean> {
      const recovery = flow.context.recovery
      if (!recovery || recovery.userId === null) return false
      return deps.recovery.passwordChangedSince(recovery.userId, recovery.credentialStamp)
    },

    /** Ends a flow whose work was done elsewhere. */
    async end(flow: Flow): Promise<void> {
      await deps.transact((tx) => flows.endIn(tx, flow))
    },
  }
}
