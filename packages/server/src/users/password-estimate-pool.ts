import { existsSync } from 'node:fs'
import { type ResourceLimits, Worker } from 'node:worker_threads'
import { TesseraError } from '../shared/errors.js'
import {
  DEADLINE_MS,
  ESTIMATE_THREAD_IDLE_MS,
  ESTIMATE_WORKER_LIMITS,
  MAX_WAITING_ESTIMATES,
  RETRY_AFTER_SECONDS,
  START_DEADLINE_MS,
  START_WAIT_MS,
} from './password-estimate-bounds.js'
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

/** One thread for the process, shared by every Tessera instance in it, each logging through its own logger. */
export interface PasswordEstimatePool extends PasswordEstimator {
  /**
   * The same thread and queue, whose estimates tell `log` when they fail, and why (each instance's
   * own logger; app/policies.ts). A thread that ends while idle tells the log of its last estimate.
   */
  reportingTo(log: EstimateFailureLog): PasswordEstimator
}

export interface PasswordEstimatePoolOptions {
  /**
   * Starts the thread that answers estimates, with these limits on its heap; by default a thread
   * running `workerFile`.
   */
  startWorker?: (resourceLimits: ResourceLimits) => Worker
  /**
   * The built users/password-estimate-worker.js by default. Checked when the pool is made, so a
   * server missing it fails at start-up rather than refusing every new password with 503.
   */
  workerFile?: URL
  /** Told why a thread ended or an estimate failed, for estimates made without `reportingTo`; nothing by default. */
  log?: EstimateFailureLog
  /** Estimates that may wait behind the one running; one more is refused with `password_check_busy`. */
  maxWaiting?: number
  /**
   * An estimate that runs longer, counted from when its thread is ready, ends the thread and fails
   * with `password_check_failed` (a hung thread).
   */
  deadlineMs?: number
  /**
   * How long requests wait for a thread to be ready, counted from when it started loading its
   * dictionaries; past it, the waiting requests and every new one fail with `password_check_failed`
   * until the thread is ready, while it goes on loading.
   */
  startWaitMs?: number
  /** A thread not ready (its dictionaries loaded) this long after it started is ended. */
  startDeadlineMs?: number
  /**
   * A ready thread that has had no estimate to run for this long is ended, and the next estimate
   * starts a fresh one; 0 keeps it for the life of the process. `ESTIMATE_THREAD_IDLE_MS` by default.
   */
  idleMs?: number
  /** Calls `expire` after `ms` unless cancelled; an unref'd timer by default (tests fire it by hand). */
  schedule?: (expire: () => void, ms: number) => () => void
}

const BUILT_WORKER = new URL('./password-estimate-worker.js', import.meta.url)

interface Job {
  request: EstimateRequest
  log: EstimateFailureLog | undefined
  resolve(score: number): void
  reject(error: TesseraError): void
}

const unrefTimeout = (expire: () => void, ms: number) => {
  const timer = setTimeout(expire, ms)
  timer.unref()
  return () => clearTimeout(timer)
}

function threadOf(workerFile: URL): (resourceLimits: ResourceLimits) => Worker {
  if (!existsSync(workerFile)) throw new Error(`The password estimate's worker file is missing: ${workerFile.pathname}`)
  return (resourceLimits) => new Worker(workerFile, { resourceLimits })
}

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
 * dictionaries; it does not keep the process alive while idle, and is ended once it has had
 * nothing to run for `idleMs` (the next estimate starts a fresh one). Waiting estimates are
 * bounded: beyond `maxWaiting` the request fails at once with `password_check_busy` (503,
 * Retry-After). A thread that exits, throws or passes the deadline is ended, the estimate it was
 * running (or, before it was ready, those waiting for it) fails with `password_check_failed` (503,
 * Retry-After), and the next estimate starts a fresh thread. Fails closed: every failure is a
 * rejection, never a score.
 */
export function createPasswordEstimatePool(options: PasswordEstimatePoolOptions = {}): PasswordEstimatePool {
  const startWorker = options.startWorker ?? threadOf(options.workerFile ?? BUILT_WORKER)
  const maxWaiting = options.maxWaiting ?? MAX_WAITING_ESTIMATES
  const deadlineMs = options.deadlineMs ?? DEADLINE_MS
  const startWaitMs = options.startWaitMs ?? START_WAIT_MS
  const startDeadlineMs = options.startDeadlineMs ?? START_DEADLINE_MS
  const idleMs = options.idleMs ?? ESTIMATE_THREAD_IDLE_MS
  const schedule = options.schedule ?? unrefTimeout
  const waiting: Job[] = []
  let worker: Worker | undefined
  /** Whether `worker` has said it is ready (its dictionaries loaded). */
  let ready = false
  /** Whether `worker` has loaded for longer than the users' wait: estimates fail at once until it is ready. */
  let overdue = false
  /** Cancels `worker`'s start wait and start deadline. */
  let cancelStart = () => {}
  /** Where a thread ending with no estimate in flight is reported: the last estimate's log. */
  let lastLog = options.log
  let running: { job: Job; cancelDeadline: () => void } | undefined
  /** The quiet period running, if any; `cancelIdle` ends it, and its timer then ends nothing. */
  let quiet: { cancel: () => void } | undefined
  const cancelIdle = () => {
    quiet?.cancel()
    quiet = undefined
  }

  function runNext(): void {
    if (running) return
    const first = waiting[0]
    if (!first) {
      worker?.unref()
      if (worker && ready) endWhenIdle(worker)
      return
    }
    cancelIdle()
    let current: Worker
    try {
      worker ??= start()
      current = worker
    } catch (error) {
      waiting.shift()
      first.log?.warn({ reason: 'start', error: errorKind(error) }, 'password estimate thread failed to start')
      first.reject(failed())
      runNext()
      return
    }
    current.ref()
    // Until the thread is ready, the estimates wait here: a request is never handed to a thread
    // that may not load, so each waits only as long as the start wait allows.
    if (!ready) return
    const job = waiting.shift() as Job
    lastLog = job.log
    running = { job, cancelDeadline: schedule(() => retire(current, { reason: 'deadline', deadlineMs }), deadlineMs) }
    current.postMessage(job.request)
  }

  /**
   * Ends `idle` once it has had nothing to run for `idleMs`, unless an estimate came meanwhile. The
   * pool lets go of it first, so an estimate asked at that very moment starts a fresh thread and
   * waits for it as for any start; its old 'exit' and 'error' are then another thread's, ignored.
   */
  function endWhenIdle(idle: Worker): void {
    cancelIdle()
    if (idleMs <= 0) return
    const period = {
      cancel: schedule(() => {
        if (period !== quiet || idle !== worker || running || waiting.length > 0) return
        quiet = undefined
        worker = undefined
        void idle.terminate()
      }, idleMs),
    }
    quiet = period
  }

  function start(): Worker {
    const started = startWorker(ESTIMATE_WORKER_LIMITS)
    lastLog = waiting[0]?.log ?? lastLog
    ready = false
    overdue = false
    const cancelWait = schedule(() => {
      if (started !== worker || ready) return
      overdue = true
      failAll(waiting.splice(0), { reason: 'start wait', startWaitMs }, 'password estimate thread not ready')
      runNext()
    }, startWaitMs)
    const cancelDeadline = schedule(() => retire(started, { reason: 'start deadline', startDeadlineMs }), startDeadlineMs)
    cancelStart = () => {
      cancelWait()
      cancelDeadline()
    }
    started.on('message', (answer: EstimateAnswer) => {
      if (started !== worker) return
      if ('ready' in answer) {
        ready = true
        overdue = false
        cancelStart()
        runNext()
        return
      }
      if (!running) return
      const { job, cancelDeadline } = running
      cancelDeadline()
      running = undefined
      if ('score' in answer && typeof answer.score === 'number') job.resolve(answer.score)
      else {
        job.log?.warn({ reason: 'estimate' }, 'password estimate failed in its thread')
        job.reject(failed())
      }
      runNext()
    })
    // An uncaught exception is an 'error' then an 'exit'; an exit alone is a thread that ended.
    started.on('error', (error) => retire(started, { reason: 'error', error: errorKind(error) }))
    started.on('exit', (exitCode) => retire(started, { reason: 'exit', exitCode }))
    return started
  }

  /**
   * Ends a thread once, logging the first reason (an 'error' is followed by an 'exit'; a deadline by
   * its 'exit'). The estimate in flight fails; so do those waiting for a thread that never got ready,
   * or each would start a thread that fails the same way.
   */
  function retire(ended: Worker, why: Record<string, unknown>): void {
    if (ended !== worker) return
    worker = undefined
    cancelStart()
    cancelIdle()
    void ended.terminate()
    const failing = running ? [running.job] : ready ? [] : waiting.splice(0)
    running?.cancelDeadline()
    running = undefined
    failAll(failing, why, 'password estimate thread ended')
    runNext()
  }

  /**
   * Fails `jobs` closed, telling each one's log (its instance's) how many of its estimates failed and
   * why, once; with none, the last estimate's log.
   */
  function failAll(jobs: Job[], why: Record<string, unknown>, message: string): void {
    const counts = new Map<EstimateFailureLog | undefined, number>()
    for (const job of jobs) counts.set(job.log, (counts.get(job.log) ?? 0) + 1)
    if (counts.size === 0) counts.set(lastLog, 0)
    for (const [log, estimatesFailed] of counts) log?.warn({ ...why, estimatesFailed }, message)
    for (const job of jobs) job.reject(failed())
  }

  function score(password: string, contextWords: readonly string[], log: EstimateFailureLog | undefined): Promise<number> {
    // `maxWaiting` behind the first in line, whether it runs or waits for its thread to be ready.
    if (waiting.length + (running ? 1 : 0) > maxWaiting) {
      return Promise.reject(
        new TesseraError('password_check_busy', {
          detail: 'Too many new passwords are being checked at the moment. Try again in a moment.',
          retryAfter: RETRY_AFTER_SECONDS,
        }),
      )
    }
    if (worker && overdue) return Promise.reject(failed())
    return new Promise<number>((resolve, reject) => {
      waiting.push({ request: { password, contextWords: [...contextWords] }, log, resolve, reject })
      runNext()
    })
  }

  return {
    score: (password, contextWords) => score(password, contextWords, options.log),
    reportingTo: (log) => ({ score: (password, contextWords) => score(password, contextWords, log) }),
  }
}

function failed(): TesseraError {
  return new TesseraError('password_check_failed', {
    detail: 'The password could not be checked. Try again in a moment.',
    retryAfter: RETRY_AFTER_SECONDS,
  })
}
