import { type ResourceLimits, Worker } from 'node:worker_threads'
import {
  createPasswordEstimatePool,
  type PasswordEstimatePool,
  type PasswordEstimatePoolOptions,
} from '../src/users/password-estimate-pool.js'

const TYPESCRIPT_WORKER = new URL('./typescript-worker.mjs', import.meta.url)
export const ESTIMATE_WORKER = new URL('../src/users/password-estimate-worker.ts', import.meta.url)

/**
 * A worker thread running `entry` (a TypeScript module of the server) from source, as the tests run
 * the rest, with the limits the pool gives it (the TypeScript compiler that strips the types runs
 * in Node's module-hooks thread, outside these limits).
 */
export function sourceWorker(entry: URL = ESTIMATE_WORKER, resourceLimits?: ResourceLimits): Worker {
  return new Worker(TYPESCRIPT_WORKER, { workerData: { entry: entry.href }, ...(resourceLimits ? { resourceLimits } : {}) })
}

/**
 * The server's estimator pool, its worker thread running users/password-estimate-worker.ts from
 * source. Its users wait for the thread up to its start deadline (60 s), not the server's 10 s: the
 * thread also loads the TypeScript compiler, and under a loaded test run a sign-up that met a
 * thread still starting would get 503 `password_check_failed` (the pool's tests hold starts by hand).
 * For the same reason it is kept while idle (the pool's idle tests end fixture threads by hand).
 */
export function sourcePasswordEstimator(options: Omit<PasswordEstimatePoolOptions, 'startWorker'> = {}): PasswordEstimatePool {
  return createPasswordEstimatePool({
    startWaitMs: 60_000,
    idleMs: 0,
    ...options,
    startWorker: (resourceLimits) => sourceWorker(ESTIMATE_WORKER, resourceLimits),
  })
}

let shared: PasswordEstimatePool | undefined

/** One per test file (its process), as a server process has one: the dictionaries load once. */
export function sharedSourcePasswordEstimator(): PasswordEstimatePool {
  shared ??= sourcePasswordEstimator()
  return shared
}
