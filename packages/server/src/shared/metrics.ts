/**
 * What domain code reports to the operator's metrics (docs/operations.md). Domains receive this
 * small interface, or the part of it they use, through their deps; the composition root hands them
 * the Prometheus implementation in `metrics/`. Every label is a closed union, so no series can be
 * created from request input (bounded cardinality).
 */
export interface Metrics {
  /** One sign-in attempt ended this way (`locked_out` is a failure that started a back-off). */
  signIn(outcome: SignInOutcome): void
  /** The token endpoint answered a grant with tokens. */
  tokenIssued(grant: GrantName): void
  /** A spent credential was presented again and what it issued was revoked (RFC 9700 §4.14.2, §4.5.3). */
  reuseDetected(credential: 'refresh_token' | 'authorization_code' | 'device_code'): void
  /** Revocation-log entries committed by this instance, one kind per entry. */
  revocationsWritten(kinds: readonly RevocationKind[]): void
  /** The revocation hub of this instance handed an entry to its feed subscribers, this long after it was written. */
  revocationBroadcast(lagMs: number): void
  /** One webhook delivery attempt ended: delivered, to be retried, or failed for good. */
  webhookAttempt(outcome: 'succeeded' | 'retrying' | 'failed'): void
}

export type SignInOutcome = 'succeeded' | 'failed' | 'locked_out' | 'throttled' | 'disabled'
export type GrantName = 'authorization_code' | 'refresh_token' | 'client_credentials' | 'token_exchange' | 'device_code'
export type RevocationKind = 'session' | 'user_token_version' | 'access_token' | 'key' | 'client' | 'api'

/** Records nothing: for code run outside a server (CLI commands, unit tests). */
export const noMetrics: Metrics = {
  signIn: () => {},
  tokenIssued: () => {},
  reuseDetected: () => {},
  revocationsWritten: () => {},
  revocationBroadcast: () => {},
  webhookAttempt: () => {},
}
