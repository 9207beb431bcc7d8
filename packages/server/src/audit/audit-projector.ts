import { outboxHorizon } from '../events/outbox-horizon.js'
import type { Clock } from '../shared/clock.js'
import { toAuditEntry } from './audit-entry.js'
import type { AuditStore } from './audit-store.js'

export interface AuditProjectorTuning {
  /** Outbox events read per pass. */
  batchSize: number
  /** How long the watermark waits at a hole in the outbox sequence (see outbox-horizon.ts). */
  holeGraceMs: number
}

export interface AuditProjectorDeps {
  stores: { audit: AuditStore }
  clock: Clock
  tuning?: Partial<AuditProjectorTuning>
}

const DEFAULT_TUNING: AuditProjectorTuning = { batchSize: 500, holeGraceMs: 5 * 60_000 }

/** Passes per catch-up, so one call cannot run forever while events keep arriving. */
const MAX_PASSES = 100

export type AuditProjector = ReturnType<typeof createAuditProjector>

/**
 * Copies outbox events into the audit log. An entry's key is its event's seq, so projecting twice
 * (a retry, or two instances at once) inserts it once.
 *
 * On PostgreSQL a seq is taken at insert and becomes visible at commit, so events can appear out
 * of order. Unlike a plain cursor, the projector does not stop at a hole: it projects every
 * visible event not yet in the log (an anti-join above the watermark), so one long transaction
 * delays nothing else. The watermark only bounds that scan: it rises to the horizon (held below a
 * hole until the hole has been seen for `holeGraceMs`, then judged rolled back), and never past an
 * event that was not projected.
 */
export function createAuditProjector(deps: AuditProjectorDeps) {
  const { stores, clock } = deps
  const tuning = { ...DEFAULT_TUNING, ...deps.tuning }
  let holes = new Map<number, number>()

  async function pass(): Promise<{ projected: number; more: boolean }> {
    const after = await stores.audit.watermark()
    // Seqs first: every one of them is committed, so the pending read below sees each.
    const seqs = await stores.audit.outboxSeqsAfter(after, tuning.batchSize)
    const pending = await stores.audit.pending(after, tuning.batchSize)
    await stores.audit.insert(pending.map(toAuditEntry))
    const horizon = outboxHorizon({ after, seqs, holes, now: clock.now(), graceMs: tuning.holeGraceMs })
    holes = horizon.holes
    const full = pending.length === tuning.batchSize
    // A full batch may have left out later unprojected events: the watermark stops at its end.
    const upTo = full ? Math.min(horizon.upTo, (pending.at(-1) as { seq: number }).seq) : horizon.upTo
    if (upTo > after) await stores.audit.raiseWatermark(upTo)
    return { projected: pending.length, more: full }
  }

  async function catchUp(): Promise<number> {
    let total = 0
    for (let passes = 0; passes < MAX_PASSES; passes++) {
      const { projected, more } = await pass()
      total += projected
      if (!more) break
    }
    return total
  }

  return {
    /** Projects everything committed so far; resolves with how many entries it wrote. Safe to run concurrently. */
    catchUp,
  }
}
