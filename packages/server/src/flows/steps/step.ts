import type { AuthService } from '../../auth/auth-service.js'
import type { Device } from '../../sessions/session-service.js'
import type { Flow, StepName } from '../flow.js'

/** A step's input: the fields of its form or JSON body, as strings (absent when missing or repeated). */
export type StepInput = Readonly<Record<string, string | undefined>>

/** What a step may use besides the flow: the clock's reading, the device, the credential checks. */
export interface StepContext {
  now: number
  device: Device
  credentials: Pick<AuthService, 'verifyPassword' | 'register'>
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
