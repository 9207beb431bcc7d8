import type { Logger } from 'pino'
import type { ExpectedFailure } from '../http/error-handler.js'
import { createBurstLog } from '../shared/burst-log.js'
import { isStoreUnavailable } from '../store/store-unavailable.js'

/** Expected failures are logged when a burst starts, then as one count per window of this length. */
const FAILURE_BURST_WINDOW_MS = 10_000

const BURST_MESSAGES: Record<ExpectedFailure, { first: string; more: string }> = {
  store_unavailable: {
    first: 'store unavailable: answering 503 store_unavailable until it is back; further failures are counted, not logged one by one',
    more: 'store unavailable: more failures since the last report',
  },
  password_check_busy: {
    first:
      'password estimates queued to their limit: answering 503 password_check_busy; further refusals are counted, not logged one by one',
    more: 'password estimate queue full: more refusals since the last report',
  },
  rate_limited: {
    first: 'per-IP rate limit reached: answering 429 rate_limited; further refusals are counted, not logged one by one',
    more: 'per-IP rate limit: more refusals since the last report',
  },
}

export interface ExpectedFailures {
  /** A store outage or a rate-limited request: counted per burst rather than logged one by one. */
  note(kind: ExpectedFailure, cause?: unknown): void
  /** The error handler of a background task named `what`. */
  background(what: string): (error: unknown) => void
  close(): void
}

/** How an instance reports the failures it expects (store outages, rate limits) without flooding its log. */
export function createExpectedFailures(logger: Logger): ExpectedFailures {
  const failures = createBurstLog<ExpectedFailure>({
    windowMs: FAILURE_BURST_WINDOW_MS,
    report: ({ key, first, count, detail }) =>
      first
        ? logger.warn(
            { code: key, ...(key === 'store_unavailable' ? { reason: (detail as Error | undefined)?.message } : {}) },
            BURST_MESSAGES[key].first,
          )
        : logger.warn({ code: key, count, windowMs: FAILURE_BURST_WINDOW_MS }, BURST_MESSAGES[key].more),
  })
  return {
    note: (kind, cause) => failures.note(kind, cause),
    /** A background task failed: a store outage is counted with the others, anything else is a bug worth a stack. */
    background: (what) => (error) => {
      if (isStoreUnavailable(error)) failures.note('store_unavailable', error)
      else logger.error({ err: error }, `${what} failed`)
    },
    close: () => failures.close(),
  }
}
