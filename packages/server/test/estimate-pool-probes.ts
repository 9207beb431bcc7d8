import { Writable } from 'node:stream'
import pino from 'pino'
import { TesseraError } from '../src/shared/errors.js'

// What the password-estimate pool's tests (src/users/password-estimate-*.test.ts) read it through:
// an estimate's outcome, a logger's lines, and its timers, expired by hand.

/** What an estimate came to: its score, or its error's code and Retry-After. */
export async function outcome(estimate: Promise<number>): Promise<number | { code: string; retryAfter: number | undefined }> {
  try {
    return await estimate
  } catch (error) {
    if (error instanceof TesseraError) return { code: error.code, retryAfter: error.retryAfter }
    throw error
  }
}

/** A pino logger, as the server's, whose lines a test reads. */
export function capturedLog() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk).trim())
      done()
    },
  })
  return { log: pino({ level: 'warn' }, stream), lines }
}

/** Hands deadlines to the test, which expires them by hand; `scheduled(ms)` resolves once one of `ms` is set. */
export function manualDeadlines() {
  const deadlines: { expire: () => void; ms: number; cancelled: boolean }[] = []
  const waiting: { ms: number; resolve: () => void }[] = []
  const schedule = (expire: () => void, ms: number) => {
    const deadline = { expire, ms, cancelled: false }
    deadlines.push(deadline)
    for (const waiter of waiting.filter((each) => each.ms === ms)) waiter.resolve()
    return () => {
      deadline.cancelled = true
    }
  }
  const scheduled = (ms: number) =>
    deadlines.some((deadline) => deadline.ms === ms && !deadline.cancelled)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiting.push({ ms, resolve }))
  return { deadlines, schedule, scheduled }
}
