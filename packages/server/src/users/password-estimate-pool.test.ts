import { describe, expect, it } from 'vitest'
import { estimateGate } from '../../test/estimate-gate.js'
import { sourcePasswordEstimator, sourceWorker } from '../../test/password-estimator.js'
import { TesseraError } from '../shared/errors.js'
import { createPasswordEstimatePool, MAX_WAITING_ESTIMATES, type PasswordEstimator } from './password-estimate-pool.js'

async function outcome(estimate: Promise<number>): Promise<number | { code: string; retryAfter: number | undefined }> {
  try {
    return await estimate
  } catch (error) {
    if (error instanceof TesseraError) return { code: error.code, retryAfter: error.retryAfter }
    throw error
  }
}

const busy = { code: 'password_check_busy', retryAfter: 1 }
const failed = { code: 'password_check_failed', retryAfter: 1 }

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

  it('ends a thread that passes the deadline, fails its estimate, and serves the next', async () => {
    const gate = estimateGate({ open: true })
    const deadlines: { expire: () => void; ms: number; cancelled: boolean }[] = []
    const schedule = (expire: () => void, ms: number) => {
      const deadline = { expire, ms, cancelled: false }
      deadlines.push(deadline)
      return () => {
        deadline.cancelled = true
      }
    }
    const pool = createPasswordEstimatePool({ startWorker: gate.startWorker, deadlineMs: 5_000, schedule })
    const hung = pool.score('crash:hang', [])
    const next = pool.score('sixteen chars ok', [])
    await gate.started(1)
    expect(deadlines).toMatchObject([{ ms: 5_000, cancelled: false }])
    deadlines[0]?.expire()
    expect(await outcome(hung)).toEqual(failed)
    expect(await next).toBe(4)
    expect(gate.workers).toBe(2)
    // An estimate that answers cancels its deadline.
    expect(deadlines[1]?.cancelled).toBe(true)
  })

  it('fails closed with password_check_failed when no thread can start', async () => {
    const missing = new URL('./no-such-worker.ts', import.meta.url)
    const pool: PasswordEstimator = createPasswordEstimatePool({ startWorker: () => sourceWorker(missing) })
    expect(await outcome(pool.score('sixteen chars ok', []))).toEqual(failed)
    const throwing = createPasswordEstimatePool({
      startWorker: () => {
        throw new Error('ERR_WORKER_INIT_FAILED')
      },
    })
    expect(await outcome(throwing.score('sixteen chars ok', []))).toEqual(failed)
  })
})
