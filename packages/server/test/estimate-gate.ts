import { Worker } from 'node:worker_threads'

// Node 20 has it (V8 11.3); TypeScript types it from lib es2024 on.
const { waitAsync } = Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { value: Promise<string> | string }
}

/**
 * Estimate threads (test/estimate-worker-fixture.mjs) that a test holds and releases: `started`
 * resolves once `count` estimates have begun in them, `release` lets every held one answer.
 */
export function estimateGate(options: { open?: boolean } = {}) {
  const state = new Int32Array(new SharedArrayBuffer(12))
  if (options.open) state[1] = 1
  let workers = 0
  return {
    startWorker(): Worker {
      workers++
      return new Worker(new URL('./estimate-worker-fixture.mjs', import.meta.url), { workerData: { state } })
    },
    /** Threads started so far. */
    get workers() {
      return workers
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
  }
}
