/** How often each instance looks for new outbox events and due deliveries. */
export const DISPATCH_INTERVAL_MS = 500

export interface DispatchLoop {
  /** Stops scheduling ticks and waits for the one in progress, so the store can close under no one. */
  stop(): Promise<void>
}

/**
 * Runs `tick` every `intervalMs` until stopped, one tick at a time (a slow tick delays the next
 * rather than overlapping it). The timer is unref'd: the loop alone never keeps the process alive.
 */
export function startDispatchLoop(options: {
  tick: () => Promise<unknown>
  intervalMs: number
  onError: (error: unknown) => void
}): DispatchLoop {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = Promise.resolve()

  const schedule = () => {
    if (stopped) return
    timer = setTimeout(() => {
      running = options
        .tick()
        .then(
          () => undefined,
          (error: unknown) => options.onError(error),
        )
        .finally(schedule)
    }, options.intervalMs)
    timer.unref()
  }
  schedule()

  return {
    async stop() {
      stopped = true
      clearTimeout(timer)
      await running
    },
  }
}
