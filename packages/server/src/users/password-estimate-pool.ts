import { type ResourceLimits, Worker } from 'node:worker_threads'
import { TesseraError } from '../shared/errors.js'
import type { EstimateAnswer, EstimateRequest } from './password-estimate-worker.js'

/** How hard a new password is to guess: zxcvbn's score, 0 (trivially) to 4 (very hard). */
export interface PasswordEstimator {
  /**
   * The score of a password given the words of its context (users/password-strength.ts). Rejects
   * with `password_check_busy` when too many estimates wait already, `password_check_failed` when
   * the estimate could not be made; never resolves without a score, so no password is accepted
   * without its estimate.
   */
  score(password: string, contextWords: readonly string[]): Promise<number>
}

/** Where the pool says why a thread ended (the server's logger): the reason only, never a password. */
export interface EstimateFailureLog {
  warn(fields: Record<string, unknown>, message: string): void
}

export interface PasswordEstimatePoolOptions {
  /**
   * Starts the thread that answers estimates, with these limits on its heap;
   * users/password-estimate-worker.ts as built by default.
   */
  startWorker?: (resourceLimits: ResourceLimits) => Worker
  /** Told why a thread ended or an estimate failed; nothing by default. */
  log?: EstimateFailureLog
  /** Estimates that may wait behind the one running; one more is refused with `password_check_busy`. */
  maxWaiting?: number
  /**
   * An estimate that runs longer, counted from when its thread is ready, ends the thread and fails
   * with `password_check_failed` (a hung thread).
   */
  deadlineMs?: number
  /** A thread not ready (its dictionaries loaded) this long after it started is ended the same way. */
  startDeadlineMs?: number
  /** Calls `expire` after `ms` unless cancelled; an unref'd timer by default (tests fire it by hand). */
  schedule?: (expire: () => void, ms: number) => () => void
}

/**
 * At most this many estimates wait: one takes a median of ~0.15 s of one core for a 32-character
 * random password (users/password-strength.ts), so the last in line waits ~2.5 s; beyond that
 * the client is told to come back (503 with Retry-After) rather than held.
 */
export const MAX_WAITING_ESTIMATES = 16
/**
 * The thread's heap. With the dictionaries loaded and 32-character estimates running, its old
 * generation holds ~7 MB live (4.3 MB old space, 2.5 MB large objects), and its whole heap peaks
 * at ~45 MB used, with garbage; it runs out at 6 MB and crawls at 8-10 MB (2-4x the time), and runs as fast as
 * unbounded at 24 MB and up. 64 MB leaves 9x the live set. The young generation is V8's default on
 * a 64-bit machine (3 x 16 MB semi-spaces), written out so the whole bound is known: ~112 MB. A
 * thread past it ends with ERR_WORKER_OUT_OF_MEMORY, and its estimate fails closed (docs/architecture.md
 * §9, "The password estimate").
 */
export const ESTIMATE_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 48 }
/** Far above the slowest estimate seen (0.3 s at 32 characters on a loaded 2-core machine). */
const DEADLINE_MS = 10_000
/**
 * Loading the dictionaries costs ~1 s of one core. Counted in the estimate's 10 s, a load slowed
 * past it (under callgrind every estimate failed so, each fresh thread loading again) ended every
 * thread before its first score; it has a bound of its own.
 */
const START_DEADLINE_MS = 60_000
const RETRY_AFTER_SECONDS = 1

interface Job {
  request: EstimateRequest
  resolve(score: number): void
  reject(error: TesseraError): void
}

const unrefTimeout = (expire: () => void, ms: number) => {
  const timer = setTimeout(expire, ms)
  timer.unref()
  return () => clearTimeout(timer)
}

const builtWorker = (resourceLimits: ResourceLimits) =>
  new Worker(new URL('./password-estimate-worker.js', import.meta.url), { resourceLimits })

/**
 * Why a thread failed, as logged: an error's code (`ERR_WORKER_OUT_OF_MEMORY`) or its class, never
 * its message or stack, which may quote the password the thread was given.
 */
function errorKind(error: unknown): string {
  if (!(error instanceof Error)) return typeof error
  const { code } = error as Error & { code?: unknown }
  return typeof code === 'string' ? code : error.name
}

/**
 * Runs the password-strength estimate in one worker thread, one estimate at a time, so that the
 * event loop stays free while zxcvbn works (OWASP Denial of Service Cheat Sheet; docs/architecture.md
 * §9, "The password estimate"). The thread starts with the first estimate and loads the
 * dictionaries once; it does not keep the process alive while idle. Waiting estimates are
 * bounded: beyond `maxWaiting` the request fails at once with `password_check_busy` (503,
 * Retry-After). A thread that exits, throws or passes the deadline is ended, the estimate it was
 * running fails with `password_check_failed` (503, Retry-After), and the next estimate starts a
 * fresh thread. Fails closed: every failure is a rejection, never a score.
 */
export function createPasswordEstimatePool(options: PasswordEstimatePoolOptions = {}): PasswordEstimator {
  const startWorker = options.startWorker ?? builtWorker
  const maxWaiting = options.maxWaiting ?? MAX_WAITING_ESTIMATES
  const deadlineMs = options.deadlineMs ?? DEADLINE_MS
  const startDeadlineMs = options.startDeadlineMs ?? START_DEADLINE_MS
  const schedule = options.schedule ?? unrefTimeout
  const log = options.log
  const waiting: Job[] = []
  let worker: Worker | undefined
  /** Whether `worker` has said it is ready (its dictionaries loaded). */
  let ready = false
  let running: { job: Job; cancelDeadline: () => void } | undefined

  function runNext(): void {
    if (running) return
    const job = waiting.shift()
    if (!job) {
      worker?.unref()
      return
    }
    let current: Worker
    try {
      worker ??= start()
      current = worker
    } catch (error) {
      log?.warn({ reason: 'start', error: errorKind(error) }, 'password estimate thread failed to start')
      job.reject(failed())
      runNext()
      return
    }
    current.ref()
    running = { job, cancelDeadline: deadline(current) }
    current.postMessage(job.request)
  }

  /** The estimate's deadline once its thread is ready; until then, the thread's start deadline. */
  function deadline(current: Worker): () => void {
    if (ready) return schedule(() => retire(current, { reason: 'deadline', deadlineMs }), deadlineMs)
    return schedule(() => retire(current, { reason: 'start deadline', startDeadlineMs }), startDeadlineMs)
  }

  function start(): Worker {
    const started = startWorker(ESTIMATE_WORKER_LIMITS)
    ready = false
    started.on('message', (answer: EstimateAnswer) => {
      if (started !== worker) return
      if ('ready' in answer) {
        ready = true
        if (running) {
          running.cancelDeadline()
          running.cancelDeadline = deadline(started)
        }
        return
      }
      if (!running) return
      const { job, cancelDeadline } = running
      cancelDeadline()
      running = undefined
      if ('score' in answer && typeof answer.score === 'number') job.resolve(answer.score)
      else {
        log?.warn({ reason: 'estimate' }, 'password estimate failed in its thread')
        job.reject(failed())
      }
      runNext()
    })
    // An uncaught exception is an 'error' then an 'exit'; an exit alone is a thread that ended.
    started.on('error', (error) => retire(started, { reason: 'error', error: errorKind(error) }))
    started.on('exit', (exitCode) => retire(started, { reason: 'exit', exitCode }))
    return started
  }

  /** Ends a thread once, logging the first reason (an 'error' is followed by an 'exit'; a deadline by its 'exit'). */
  function retire(ended: Worker, why: Record<string, unknown>): void {
    if (ended !== worker) return
    log?.warn({ ...why, estimateInFlight: running !== undefined }, 'password estimate thread ended')
    worker = undefined
    void ended.terminate()
    if (running) {
      running.cancelDeadline()
      running.job.reject(failed())
      running = undefined
    }
    runNext()
  }

  return {
    score(password, contextWords) {
      if (waiting.length >= maxWaiting) {
        return Promise.reject(
          new TesseraError('password_check_busy', {
            detail: 'Too many new passwords are being checked at the moment. Try again in a moment.',
            retryAfter: RETRY_AFTER_SECONDS,
          }),
        )
      }
      return new Promise<number>((resolve, reject) => {
        waiting.push({ request: { password, contextWords: [...contextWords] }, resolve, reject })
        runNext()
      })
    },
  }
}

function failed(): TesseraError {
  return new TesseraError('password_check_failed', {
    detail: 'The password could not be checked. Try again in a moment.',
    retryAfter: RETRY_AFTER_SECONDS,
  })
}
