/** A self-service flow in progress (0007-flows); see flows/flow.ts for the meaning of each field. */
export interface FlowsTable {
  id: string
  type: 'login' | 'logout' | 'recovery'
  /** SHA-256 of the secret that binds the flow to its browser (the binding cookie). */
  binding_hash: string
  /** SHA-256 of the CSRF token of the flow's current version. */
  csrf_hash: string
  /** JSON array of the step names that may come next; empty once the flow is complete. */
  next_steps: string
  /** JSON array of the steps done: `{ step, amr, at }`. */
  steps_done: string
  user_id: string | null
  session_id: string | null
  client_id: string | null
  /** JSON: what the flow serves (the authorization request, the logout request). */
  context: string
  version: number
  created_at: number
  updated_at: number
  expires_at: number
}
