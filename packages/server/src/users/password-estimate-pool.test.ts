import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { estimateGate } from '../../test/estimate-gate.js'
import { capturedLog, manualDeadlines, outcome } from '../../test/estimate-pool-probes.js'
import { sourcePasswordEstimator } from '../../test/password-estimator.js'
import { ESTIMATE_WORKER_LIMITS, MAX_WAITING_ESTIMATES } from './password-estimate-bounds.js'
import { createPasswordEstimatePool, type PasswordEstimator } from './password-estimate-pool.js'

/** The built pool, as bin/tessera.js loads it; `npm test` builds first (the `pretest` script). */
const BUILT_POOL = fileURLToPath(new URL('../../dist/users/password-estimate-pool.js', import.meta.url))

const busy = { code: 'password_check_busy', retryAfter: 1 }
const failed = { code: 'password_check_failed', retryAfter: 1 }

/**
 * The estimate's deadline, a request's wait for a loading thread, the load's own deadline, and the
 * quiet period after which an idle thread ends (password-estimate-idle.test.ts).
 */
const DEADLINES = { deadlineMs: 5_000, startWaitMs: 10_000, startDeadlineMs: 60_000, idleMs: 30_000 }

describe('password estimate pool', () => {
  it('scores in its worker thread as users/password-strength.ts does', async () => {
    const pool = sourcePasswordEstimator()
    expect(await pool.score('password1', [])).toBe(0)
    expect(await pool.score('k3v9q2xw7m4p8t6z', [])).toBe(4)
    // The context's words count as guessable, as in the thread's own estimate.
    expect(await pool.score('ann.lee@example.com', ['ann.lee@example.com', 'ann.lee'])).toBe(0)
    // Only the first 32 characters are read (password-strength.test.ts): a weak start stays weak.
    expect(await pool.score(`${'a'.repeat(32)}k3v9q2xw7m4p8t6zr5n1b8c4d7f2g9h6`, [])).toBe(0)
  })

  it('runs one estimate at a time and queues the rest in order', async () => {
    const gate = estimateGate()
    const pool = createPasswordEstimatePool({ startWorker: gate.startWorker })
    const scores = [pool.score('short', []), pool.score('sixteen chars ok', []), pool.score('x', [])]
    await gate.started(1)
    gate.release()
    expect(await Promise.all(scores)).toEqual([0, 4, 0])
    expect(gate.workers).toBe(1)
  })

  it('refuses an estimate beyond the waiting ones with password_check_busy and Retry-After, and serves the queue', async () => {
    const gate = estimateGate()
    const pool = createPasswordEstimatePool({ startWorker: gate.startWorker, maxWaiting: 2 })
    const running = pool.score('the running one!', [])
    await gate.started(1)
    const queued = [pool.score('waiting number 1', []), pool.score('waiting number 2', [])]
    expect(await outcome(pool.score('one too many', []))).toEqual(busy)
    gate.release()
    expect(await Promise.all([running, ...queued])).toEqual([4, 4, 4])
    // Room again once the queue drained.
    expect(await pool.score('after the drain!', [])).toBe(4)
  })

  it('waits for MAX_WAITING_ESTIMATES by default', async () => {
    const gate = estimateGate()
    const pool = createPasswordEstimatePool({ startWorker: gate.startWorker })
    const accepted = Array.from({ length: MAX_WAITING_ESTIMATES + 1 }, () => pool.score('sixteen chars ok', []))
    await gate.started(1)
    expect(await outcome(pool.score('sixteen chars ok', []))).toEqual(busy)
    gate.release()
    expect(new Set(await Promise.all(accepted))).toEqual(new Set([4]))
  })

  for (const [how, password] of [
    ['throws', 'crash:throw'],
    ['exits', 'crash:exit'],
    ['outgrows its heap limit', 'crash:memory'],
  ] as const) {
    it(`fails the estimate in flight with password_check_failed when its thread ${how}, and a fresh thread serves the next`, async () => {
      const gate = estimateGate({ open: true })
      const pool = createPasswordEstimatePool({ startWorker: gate.startWorker })
      const waiting = [pool.score(password, []), pool.score('waits behind it!', [])]
      expect(await outcome(waiting[0] as Promise<number>)).toEqual(failed)
      expect(await waiting[1]).toBe(4)
      expect(await pool.score('short', [])).toBe(0)
      expect(gate.workers).toBe(2)
    })
  }

  it('starts every thread with ESTIMATE_WORKER_LIMITS on its heap', async () => {
    const gate = estimateGate({ open: true })
    const pool = createPasswordEstimatePool({ startWorker: gate.startWorker })
    expect(await outcome(pool.score('crash:exit', []))).toEqual(failed)
    expect(await pool.score('sixteen chars ok', [])).toBe(4)
    expect(gate.limits).toEqual([ESTIMATE_WORKER_LIMITS, ESTIMATE_WORKER_LIMITS])
    expect(ESTIMATE_WORKER_LIMITS).toEqual({ maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 48 })
  })

  it('logs why a thread ended, and never the password or its context', async () => {
    const context = ['ann.lee@example.com', 'ann.lee']
    const seen: Record<string, unknown>[] = []
    for (const password of ['crash:throw', 'crash:exit', 'crash:memory']) {
      const gate = estimateGate({ open: true })
      const { log, lines } = capturedLog()
      const pool = createPasswordEstimatePool({ startWorker: gate.startWorker, log })
      expect(await outcome(pool.score(password, context))).toEqual(failed)
      expect(await pool.score('sixteen chars ok', [])).toBe(4)
      // The first reason only: an 'error' is followed by the thread's 'exit'.
      expect(lines, password).toHaveLength(1)
      for (const secret of [password, 'crash', ...context]) expect(lines[0]).not.toContain(secret)
      const { reason, error, exitCode, estimatesFailed, msg } = JSON.parse(lines[0] as string)
      seen.push({ reason, error, exitCode, estimatesFailed, msg })
    }
    const ended = { estimatesFailed: 1, msg: 'password estimate thread ended' }
    expect(seen).toEqual([
      { ...ended, reason: 'error', error: 'Error' },
      { ...ended, reason: 'exit', exitCode: 3 },
      { ...ended, reason: 'error', error: 'ERR_WORKER_OUT_OF_MEMORY' },
    ])

    const gate = estimateGate({ open: true })
    const { log, lines } = capturedLog()
    const { deadlines, schedule, scheduled } = manualDeadlines()
    const pool = createPasswordEstimatePool({ startWorker: gate.startWorker, log, deadlineMs: 5_000, schedule })
    const hung = pool.score('crash:hang', context)
    await scheduled(5_000)
    deadlines.find((deadline) => deadline.ms === 5_000)?.expire()
    expect(await outcome(hung)).toEqual(failed)
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ reason: 'deadline', deadlineMs: 5_000, estimatesFailed: 1 }])
    for (const secret of ['crash', ...context]) expect(lines.join('\n')).not.toContain(secret)
  })

  it("tells each instance's log of its own failed estimates, on one shared thread", async () => {
    const gate = estimateGate({ open: true })
    const first = capturedLog()
    const second = capturedLog()
    const pool = createPasswordEstimatePool({ startWorker: gate.startWorker })
    const [a, b] = [pool.reportingTo(first.log), pool.reportingTo(second.log)]
    expect(await a.score('sixteen chars ok', [])).toBe(4)
    expect(await outcome(b.score('crash:exit', []))).toEqual(failed)
    expect(second.lines.map((line) => JSON.parse(line))).toMatchObject([{ reason: 'exit', exitCode: 3, estimatesFailed: 1 }])
    expect(first.lines).toEqual([])
    expect(await outcome(a.score('crash:throw', []))).toEqual(failed)
    expect(first.lines.map((line) => JSON.parse(line))).toMatchObject([{ reason: 'error', estimatesFailed: 1 }])
    expect(second.lines).toHaveLength(1)
    // One thread served both views (a fresh one after each crash).
    expect(await b.score('short', [])).toBe(0)
    expect(gate.workers).toBe(3)

    // Estimates of both, waiting for a thread that does not get ready: each log counts its own.
    const held = estimateGate({ open: true, holdStart: true })
    const { deadlines, schedule, scheduled } = manualDeadlines()
    const shared = createPasswordEstimatePool({ startWorker: held.startWorker, startWaitMs: 10_000, schedule })
    const [c, d] = [capturedLog(), capturedLog()]
    const waiting = [shared.reportingTo(c.log), shared.reportingTo(d.log), shared.reportingTo(d.log)].map((view) =>
      outcome(view.score('sixteen chars ok', [])),
    )
    await scheduled(10_000)
    deadlines.find((deadline) => deadline.ms === 10_000)?.expire()
    expect(await Promise.all(waiting)).toEqual([failed, failed, failed])
    expect(c.lines.map((line) => JSON.parse(line))).toMatchObject([{ reason: 'start wait', estimatesFailed: 1 }])
    expect(d.lines.map((line) => JSON.parse(line))).toMatchObject([{ reason: 'start wait', estimatesFailed: 2 }])
  })

  it('ends a thread that passes the deadline, fails its estimate, and serves the next', async () => {
    const gate = estimateGate({ open: true })
    const { deadlines, schedule, scheduled } = manualDeadlines()
    const pool = createPasswordEstimatePool({ startWorker: gate.startWorker, ...DEADLINES, schedule })
    const hung = pool.score('crash:hang', [])
    const next = pool.score('sixteen chars ok', [])
    await gate.started(1)
    await scheduled(5_000)
    // The thread's start wait and start deadline, then, once it said it was ready, the estimate's.
    expect(deadlines).toMatchObject([
      { ms: 10_000, cancelled: true },
      { ms: 60_000, cancelled: true },
      { ms: 5_000, cancelled: false },
    ])
    deadlines[2]?.expire()
    expect(await outcome(hung)).toEqual(failed)
    expect(await next).toBe(4)
    expect(gate.workers).toBe(2)
    // The fresh thread's start wait and deadline, the estimate's, which its answer cancels, then its quiet period.
    expect(deadlines.slice(3)).toMatchObject([
      { ms: 10_000, cancelled: true },
      { ms: 60_000, cancelled: true },
      { ms: 5_000, cancelled: true },
      { ms: 30_000, cancelled: false },
    ])
  })

  it('holds a request at most the start wait, counted from the start of the load, while its thread loads, and keeps the thread loading', async () => {
    const gate = estimateGate({ open: true, holdStart: true })
    const { deadlines, schedule, scheduled } = manualDeadlines()
    const { log, lines } = capturedLog()
    const pool = createPasswordEstimatePool({ startWorker: gate.startWorker, ...DEADLINES, schedule, log })
    const first = outcome(pool.score('sixteen chars ok', []))
    await scheduled(10_000)
    const second = outcome(pool.score('sixteen chars ok', []))
    // The wait is the load's, not each request's: both fail when it passes.
    deadlines.find((deadline) => deadline.ms === 10_000)?.expire()
    expect(await Promise.all([first, second])).toEqual([failed, failed])
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ reason: 'start wait', startWaitMs: 10_000, estimatesFailed: 2 }])
    // Later requests fail at once, and wait on no deadline, while the same thread goes on loading.
    expect(await outcome(pool.score('sixteen chars ok', []))).toEqual(failed)
    expect(deadlines.filter((deadline) => !deadline.cancelled).map((deadline) => deadline.ms)).toEqual([10_000, 60_000])
    gate.releaseStart()
    await new Promise<void>((resolve) => {
      const poll = () => (deadlines[1]?.cancelled ? resolve() : setImmediate(poll))
      poll()
    })
    // Once ready, it serves: the load was not thrown away, and no request waited past 10 s.
    expect(await pool.score('sixteen chars ok', [])).toBe(4)
    expect(gate.workers).toBe(1)
    expect(lines).toHaveLength(1)
  })

  it('ends a thread that is not ready by its start deadline, and the next request starts a fresh one', async () => {
    const stuck = estimateGate({ open: true, holdStart: true })
    const { deadlines, schedule, scheduled } = manualDeadlines()
    const { log, lines } = capturedLog()
    const pool = createPasswordEstimatePool({ startWorker: stuck.startWorker, startWaitMs: 10_000, startDeadlineMs: 60_000, schedule, log })
    const waiting = pool.score('sixteen chars ok', [])
    await scheduled(60_000)
    deadlines.find((deadline) => deadline.ms === 60_000)?.expire()
    expect(await outcome(waiting)).toEqual(failed)
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ reason: 'start deadline', startDeadlineMs: 60_000, estimatesFailed: 1 }])
    const next = pool.score('sixteen chars ok', [])
    stuck.releaseStart()
    expect(await next).toBe(4)
    expect(stuck.workers).toBe(2)
  })

  it('fails closed with password_check_failed when no thread can start', async () => {
    const missing = new URL('./no-such-worker.mjs', import.meta.url)
    const { log, lines } = capturedLog()
    const pool: PasswordEstimator = createPasswordEstimatePool({ startWorker: () => new Worker(missing), log })
    expect(await outcome(pool.score('sixteen chars ok', []))).toEqual(failed)
    const throwing = createPasswordEstimatePool({
      startWorker: () => {
        throw Object.assign(new Error('no thread'), { code: 'ERR_WORKER_INIT_FAILED' })
      },
      log,
    })
    expect(await outcome(throwing.score('sixteen chars ok', []))).toEqual(failed)
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { reason: 'error', error: 'MODULE_NOT_FOUND', estimatesFailed: 1 },
      { reason: 'start', error: 'ERR_WORKER_INIT_FAILED', msg: 'password estimate thread failed to start' },
    ])
  })

  it('refuses to be made without its worker file, so a server missing it fails at start-up', () => {
    expect(() => createPasswordEstimatePool({ workerFile: new URL('./no-such-worker.js', import.meta.url) })).toThrow(
      /worker file is missing/,
    )
  })

  it('scores with its default thread as built (the file bin/tessera.js runs)', async () => {
    const built = (await import(BUILT_POOL)) as typeof import('./password-estimate-pool.js')
    const pool = built.createPasswordEstimatePool({ startWaitMs: 60_000 })
    expect(await pool.score('password1', [])).toBe(0)
    expect(await pool.score('k3v9q2xw7m4p8t6z', [])).toBe(4)
  })
})
