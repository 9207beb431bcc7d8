import { parentPort } from 'node:worker_threads'
import { passwordScore } from './password-strength.js'

/**
 * The thread that runs the password-strength estimate (users/password-estimate-pool.ts starts it):
 * zxcvbn-ts's work grows faster than the length of a password, so it runs here rather than on the
 * event loop (docs/architecture.md §9, "The password estimate"). The dictionaries load with the
 * first estimate and stay for the life of the thread. One estimate at a time: the pool sends the
 * next only once this one has answered.
 */
export interface EstimateRequest {
  password: string
  contextWords: string[]
}

/** The score, or `failed` when the estimator threw (the dictionaries could not be read): no detail, it may quote the password. */
export type EstimateAnswer = { score: number } | { failed: true }

parentPort?.on('message', ({ password, contextWords }: EstimateRequest) => {
  let answer: EstimateAnswer
  try {
    answer = { score: passwordScore(password, contextWords) }
  } catch {
    answer = { failed: true }
  }
  parentPort?.postMessage(answer)
})
