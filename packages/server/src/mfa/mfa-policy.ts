/** `mfa.policy` (docs/mfa.md "Policy"): may users add second factors, and must they? */
export type MfaPolicy = 'off' | 'optional' | 'required'

export interface MfaPolicyDeps {
  policy: MfaPolicy
  /** Whether an application asks for a second factor on its own (`requireMfa`); false for an unknown client. */
  applicationRequires: (clientId: string) => Promise<boolean>
}

/**
 * Whether a sign-in must end with a second factor: always under `required`, never under `off`
 * (which turns enrolment off, so it cannot demand it), and under `optional` when the client the
 * sign-in serves requires it. A sign-in through the JSON API serves no client: only the policy counts.
 */
export function createMfaRequirement(deps: MfaPolicyDeps) {
  return async (clientId: string | null): Promise<boolean> => {
    if (deps.policy === 'required') return true
    if (deps.policy === 'off' || clientId === null) return false
    return deps.applicationRequires(clientId)
  }
}
