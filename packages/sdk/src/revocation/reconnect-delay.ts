/**
 * How the hybrid feed waits before reconnecting (`createVerifier({ reconnect })`).
 *
 * @example
 * const reconnect: Partial<ReconnectPolicy> = { initialDelay: 100, maxDelay: 5_000 }
 */
export interface ReconnectPolicy {
  /** Ms before the first reconnection; doubles with each failed attempt. */
  initialDelay: number
  /** Ms the delay never exceeds. */
  maxDelay: number
  /** A uniform random number in [0, 1): injectable so tests are deterministic. */
  random: () => number
}

/**
 * Exponential back-off with "equal jitter": half the delay is fixed, half random, so a fleet of
 * resource servers that lost the feed together does not reconnect together.
 */
export function reconnectDelay(policy: ReconnectPolicy, failures: number): number {
  const ceiling = Math.min(policy.maxDelay, policy.initialDelay * 2 ** Math.min(failures, 30))
  return ceiling / 2 + policy.random() * (ceiling / 2)
}
