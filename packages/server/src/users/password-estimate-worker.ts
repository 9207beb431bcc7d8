import { parentPort } from 'node:worker_threads'
import { loadPasswordEstimator, passwordScore } from './password-strength.js'

/**
 * The thread that runs the password-strength estimate (users/password-estimate-pool.ts starts it):
 * zxcvbn-ts's work grows faster than the length of a password, so it runs here rather than on the
 * event loop (docs/architecture.md §9, "The password estimate"). The dictionaries load as the
 * thread starts (with the first estimate), then it says `ready`; they stay for the life of the
 * thread. One estimate at a time: the pool sends the next only once this one has answered.
 */
export interface EstimateRequest {
  password: string
  contextWords: string[]
}

/**
 * `ready` once the dictionaries are loaded (or could not be: the estimates then fail); then per
 * estimate its score, or `failed` when the estimator threw: no detail, it may quote the password.
 */
export type EstimateAnswer = { ready: true } | { score: number } | { failed: true }

parentPort?.on('message', ({ password, contextWords }: EstimateRequest) => {
  let answer: EstimateAnswer
  try {
    answer = { score: passwordScore(password, contextWords) }
  } catch {
    answer = { failed: true }
  }
  parentPort?.postMessage(answer)
})

try {
  loadPasswordEstimator()
} catch {
  // Each estimate tries again, and answers `failed`.
}
parentPort?.postMessage({ ready: true } satisfies EstimateAnswer)
