import { describe, expect, it } from 'vitest'
import { estimateGate } from '../../test/estimate-gate.js'
import { capturedLog, manualDeadlines, outcome } from '../../test/estimate-pool-probes.js'
import { ESTIMATE_THREAD_IDLE_MS } from './password-estimate-bounds.js'
import { createPasswordEstimatePool } from './password-estimate-pool.js'

/** The quiet period of these tests: none of the pool's other timers has this length. */
const IDLE_MS = 30_000
const failed = { code: 'password_check_failed', retryAfter: 1 }

/** The pool over fixture threads, its timers expired by hand, its log read. */
function idlePool(options: { idleMs?: number; holdStart?: boolean } = {}) {
  const gate = estimateGate({ open: true, holdStart: options.holdStart })
  const timers = manualDeadlines()
  const { log, lines } = capturedLog()
  const pool = createPasswordEstimatePool({
    startWorker: gate.startWorker,
    schedule: timers.schedule,
    log,
    startWaitMs: 10_000,
    startDeadlineMs: 60_000,
    deadlineMs: 5_000,
    ...('idleMs' in options ? { idleMs: options.idleMs } : { idleMs: IDLE_MS }),
  })
  const idleTimers = () => timers.deadlines.filter((timer) => timer.ms === (options.idleMs ?? IDLE_MS))
  return { gate, timers, lines, pool, idleTimers }
}

// The thread is ~20-30 MB of RSS once started (docs/architecture.md §9, "The password estimate"):
// it is ended after a quiet period and started again by the next estimate, which waits for it as
// for any start, and never fails or skips its estimate because the thread was ending.
describe('password estimate pool, when idle', () => {
  it('ends a thread that has had nothing to run for its quiet period, without logging a failure', async () => {
    const { gate, timers, lines, pool } = idlePool()
    expect(await pool.score('sixteen chars ok', [])).toBe(4)
    await timers.scheduled(IDLE_MS)
    expect(gate.ended).toBe(0)
    timers.deadlines.find((timer) => timer.ms === IDLE_MS)?.expire()
    await gate.exited(1)
    // The next estimate starts a fresh thread and is scored by it.
    expect(await pool.score('short', [])).toBe(0)
    expect(gate.workers).toBe(2)
    expect(lines).toEqual([])
  })

  it('counts the quiet period from the last answer: none runs while an estimate runs or waits', async () => {
    const gate = estimateGate()
    const timers = manualDeadlines()
    const pool = createPasswordEstimatePool({ startWorker: gate.startWorker, schedule: timers.schedule, idleMs: IDLE_MS })
    const held = [pool.score('the running one!', []), pool.score('waiting behind!!', [])]
    await gate.started(1)
    expect(timers.deadlines.filter((timer) => timer.ms === IDLE_MS)).toEqual([])
    gate.release()
    expect(await Promise.all(held)).toEqual([4, 4])
    // One quiet period, from the last answer; a new estimate cancels it as it is asked, and its answer starts the next.
    const quiet = () => timers.deadlines.filter((timer) => timer.ms === IDLE_MS)
    expect(quiet()).toMatchObject([{ cancelled: false }])
    const next = pool.score('another one here', [])
    expect(quiet()).toMatchObject([{ cancelled: true }])
    expect(await next).toBe(4)
    expect(quiet()).toMatchObject([{ cancelled: true }, { cancelled: false }])
    expect(gate.workers).toBe(1)
  })

  it('scores the estimates asked as the quiet period ends in a fresh thread, and fails none', async () => {
    const { gate, timers, lines, pool, idleTimers } = idlePool()
    expect(await pool.score('sixteen chars ok', [])).toBe(4)
    await timers.scheduled(IDLE_MS)
    // The end fires, and in the same turn, before the old thread has exited, estimates come.
    idleTimers()[0]?.expire()
    const asked = [pool.score('sixteen chars ok', []), pool.score('short', []), pool.score('sixteen chars ok', [])]
    expect(await Promise.all(asked.map(outcome))).toEqual([4, 0, 4])
    await gate.exited(1)
    expect(gate.workers).toBe(2)
    expect(lines).toEqual([])
  })

  it('keeps the thread when an estimate was asked just before its quiet period ended', async () => {
    const { gate, timers, lines, pool, idleTimers } = idlePool()
    expect(await pool.score('sixteen chars ok', [])).toBe(4)
    await timers.scheduled(IDLE_MS)
    // A timer that fires in the same turn as the estimate that cancelled it ends nothing.
    const asked = pool.score('sixteen chars ok', [])
    idleTimers()[0]?.expire()
    expect(await asked).toBe(4)
    expect(idleTimers()).toMatchObject([{ cancelled: true }, { cancelled: false }])
    idleTimers()[0]?.expire()
    expect(await pool.score('short', [])).toBe(0)
    expect(gate.workers).toBe(1)
    expect(gate.ended).toBe(0)
    expect(lines).toEqual([])
  })

  it('ends a thread that got ready with nobody left waiting, once quiet', async () => {
    const { gate, timers, lines, pool, idleTimers } = idlePool({ holdStart: true })
    const waiting = outcome(pool.score('sixteen chars ok', []))
    await timers.scheduled(10_000)
    timers.deadlines.find((timer) => timer.ms === 10_000)?.expire()
    expect(await waiting).toEqual(failed)
    expect(idleTimers()).toEqual([])
    gate.releaseStart()
    await timers.scheduled(IDLE_MS)
    idleTimers()[0]?.expire()
    await gate.exited(1)
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ reason: 'start wait' }])
  })

  it('keeps the thread for the life of the process with idleMs 0', async () => {
    const { gate, timers, pool } = idlePool({ idleMs: 0 })
    expect(await pool.score('sixteen chars ok', [])).toBe(4)
    expect(await pool.score('short', [])).toBe(0)
    expect(timers.deadlines.filter((timer) => !timer.cancelled)).toEqual([])
    expect(gate.workers).toBe(1)
  })

  it('waits ESTIMATE_THREAD_IDLE_MS by default', async () => {
    const gate = estimateGate({ open: true })
    const timers = manualDeadlines()
    const pool = createPasswordEstimatePool({ startWorker: gate.startWorker, schedule: timers.schedule })
    expect(await pool.score('sixteen chars ok', [])).toBe(4)
    expect(timers.deadlines.filter((timer) => !timer.cancelled).map((timer) => timer.ms)).toEqual([ESTIMATE_THREAD_IDLE_MS])
  })
})
