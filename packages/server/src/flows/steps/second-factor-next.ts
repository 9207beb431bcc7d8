import type { StepName } from '../flow.js'
import type { StepContext } from './step.js'

/**
 * What follows once a user is identified (and, where required, their address verified): their
 * second factor if they have one (issue 13), its enrolment where the policy or the application
 * requires one they lack (docs/mfa.md "Policy"), else nothing.
 */
export async function secondFactorNext(
  userId: string,
  clientId: string | null,
  context: StepContext,
  /** A step-up asks for a factor (flows/step-up.ts), whatever the policy and the client say. */
  wanted = false,
): Promise<StepName[]> {
  const factors = await context.secondFactors.available(userId)
  if (factors.length > 0) return ['second_factor']
  return wanted || (await context.secondFactors.required(clientId)) ? ['second_factor_enrolment'] : []
}
