/**
 * Expected failures (a store outage, clients over their rate limit) can happen thousands of times
 * a second; logging each with a stack floods the logs exactly when an operator reads them. A burst
 * log says so once when a burst starts, then once per window with how many more there were, and
 * falls silent when the failures stop.
 */
export interface BurstLog<K extends string> {
  /** One more failure of kind `key`; `detail` describes it if it starts a burst. */
  note(key: K, detail?: unknown): void
  /** Reports any counted failures now and cancels the timers (at shutdown). */
  close(): void
}

export interface BurstReport<K extends string> {
  key: K
  /** True for the failure that starts a burst (count 1), false for a window's summary. */
  first: boolean
  count: number
  detail: unknown
}

export interface BurstLogDeps<K extends string> {
  windowMs: number
  report: (report: BurstReport<K>) => void
  /** Runs `run` after `ms` (an unref'd timer by default; tests pass their own). */
  schedule?: (run: () => void, ms: number) => () => void
}

const unrefTimer = (run: () => void, ms: number) => {
  const timer = setTimeout(run, ms)
  timer.unref()
  return () => clearTimeout(timer)
}

export function createBurstLog<K extends string>(deps: BurstLogDeps<K>): BurstLog<K> {
  const schedule = deps.schedule ?? unrefTimer
  const bursts = new Map<K, { count: number; cancel: () => void }>()

  const endWindow = (key: K) => {
    const burst = bursts.get(key)
    if (!burst) return
    if (burst.count === 0) {
      bursts.delete(key) // a quiet window ends the burst; the next failure is logged at once
      return
    }
    deps.report({ key, first: false, count: burst.count, detail: undefined })
    burst.count = 0
    burst.cancel = schedule(() => endWindow(key), deps.windowMs)
  }

  return {
    note(key, detail) {
      const burst = bursts.get(key)
      if (burst) {
        burst.count += 1
        return
      }
      deps.report({ key, first: true, count: 1, detail })
      bursts.set(key, { count: 0, cancel: schedule(() => endWindow(key), deps.windowMs) })
    },
    close() {
      for (const [key, burst] of bursts) {
        burst.cancel()
        if (burst.count > 0) deps.report({ key, first: false, count: burst.count, detail: undefined })
      }
      bursts.clear()
    },
  }
}
