import { type ResourceLimits, Worker } from 'node:worker_threads'

// Node 20 has it (V8 11.3); TypeScript types it from lib es2024 on.
const { waitAsync } = Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { value: Promise<string> | string }
}

/**
 * Estimate threads (test/estimate-worker-fixture.mjs) that a test holds and releases: `started`
 * resolves once `count` estimates have begun in them, `release` lets every held one answer;
 * with `holdStart`, a thread says it is ready only after `releaseStart`.
 */
export function estimateGate(options: { open?: boolean; holdStart?: boolean } = {}) {
  const state = new Int32Array(new SharedArrayBuffer(16))
  if (options.open) state[1] = 1
  if (!options.holdStart) state[3] = 1
  const limits: ResourceLimits[] = []
  let ended = 0
  const endings: { count: number; resolve: () => void }[] = []
  return {
    /** Starts a thread with the limits the pool gives it, as the pool's own start does. */
    startWorker(resourceLimits: ResourceLimits): Worker {
      limits.push(resourceLimits)
      const worker = new Worker(new URL('./estimate-worker-fixture.mjs', import.meta.url), { workerData: { state }, resourceLimits })
      worker.once('exit', () => {
        ended++
        for (const ending of endings.filter((each) => each.count <= ended)) ending.resolve()
      })
      return worker
    },
    /** Threads started so far. */
    get workers() {
      return limits.length
    },
    /** Threads that have exited so far. */
    get ended() {
      return ended
    },
    /** Resolves once `count` threads have exited. */
    exited(count: number): Promise<void> {
      return ended >= count ? Promise.resolve() : new Promise((resolve) => endings.push({ count, resolve }))
    },
    /** The limits each thread was started with. */
    get limits(): readonly ResourceLimits[] {
      return limits
    },
    async started(count: number): Promise<void> {
      for (let seen = Atomics.load(state, 0); seen < count; seen = Atomics.load(state, 0)) {
        await waitAsync(state, 0, seen).value
      }
    },
    release(): void {
      Atomics.store(state, 1, 1)
      Atomics.notify(state, 1)
    },
    /** Lets held threads say they are ready (`holdStart`). */
    releaseStart(): void {
      Atomics.store(state, 3, 1)
      Atomics.notify(state, 3)
    },
  }
}
