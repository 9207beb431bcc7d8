import type { Clock } from '../shared/clock.js'
import type { PurgeRule } from './retention-rules.js'

export interface HousekeepingOptions {
  rules: readonly PurgeRule[]
  /** Decides what has expired. */
  clock: Clock
  /** Rows per statement: small, so no statement holds a lock (or, on SQLite, the event loop) for long. */
  batchSize: number
  /** A run stops starting batches after this long; the next run resumes at the rule it stopped in. */
  budgetMs: number
  /** Elapsed time for the budget (milliseconds, monotonic); `performance.now` by default. */
  elapsed?: () => number
  /** Runs between two batches: hands the event loop back to requests. */
  pause?: () => Promise<void>
  /** Told of every batch that deleted rows. */
  onPurged?: (table: string, rows: number) => void
  /** Told of every finished run. */
  onRun?: (report: HousekeepingReport) => void
  /** A rule's statement failed: the run goes on with the next rule. */
  onError: (table: string, error: unknown) => void
}

export interface HousekeepingReport {
  /** Rows deleted by table, in this run. */
  purged: Record<string, number>
  batches: number
  /** False when the budget ran out before every rule had nothing left. */
  complete: boolean
  /** Rules whose statement failed in this run. */
  failed: string[]
  durationMs: number
}

export interface Housekeeping {
  /** One pass over the rules, within the budget. Never runs twice at once in one process. */
  run(): Promise<HousekeepingReport>
  /** The last run's report, for the console and operators; null before the first. */
  lastReport(): (HousekeepingReport & { finishedAt: number }) | null
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Purges what is past keeping (retention-rules.ts) in small batches: each rule's statement is
 * repeated until it deletes fewer rows than a batch, with a pause between two statements so
 * requests are served in between, and the whole run stops at its time budget (docs/operations.md).
 */
export function createHousekeeping(options: HousekeepingOptions): Housekeeping {
  const elapsed = options.elapsed ?? (() => performance.now())
  const pause = options.pause ?? nextTick
  let resumeAt = 0
  let running: Promise<HousekeepingReport> | null = null
  let last: (HousekeepingReport & { finishedAt: number }) | null = null

  async function pass(): Promise<HousekeepingReport> {
    const started = elapsed()
    const purged: Record<string, number> = {}
    const rules = options.rules
    let batches = 0
    let complete = true
    const failed: string[] = []
    for (let turn = 0; turn < rules.length; turn++) {
      const index = (resumeAt + turn) % rules.length
      const rule = rules[index] as PurgeRule
      for (;;) {
        if (elapsed() - started >= options.budgetMs) {
          complete = false
          resumeAt = index
          break
        }
        if (batches > 0) await pause()
        let rows: number
        try {
          rows = await rule.purgeBatch(options.clock.now(), options.batchSize)
        } catch (error) {
          failed.push(rule.table)
          options.onError(rule.table, error)
          break
        } finally {
          batches++
        }
        if (rows > 0) {
          purged[rule.table] = (purged[rule.table] ?? 0) + rows
          options.onPurged?.(rule.table, rows)
        }
        if (rows < options.batchSize) break
      }
      if (!complete) break
    }
    if (complete) resumeAt = 0
    const report = { purged, batches, complete, failed, durationMs: elapsed() - started }
    last = { ...report, finishedAt: options.clock.now() }
    options.onRun?.(report)
    return report
  }

  return {
    run() {
      running ??= pass().finally(() => {
        running = null
      })
      return running
    },
    lastReport: () => last,
  }
}
