import type { Clock } from '../shared/clock.js'
import { type Metrics, noMetrics } from '../shared/metrics.js'
import type { RevocationLog, StoredRevocation } from './revocation-log.js'

export type RevocationListener = (entries: StoredRevocation[]) => void

/**
 * One per instance: learns that revocations were committed (from this instance's transactions,
 * PostgreSQL NOTIFY, Redis, or a poll), reads the new entries from the log once, and hands them
 * to every open feed stream. The database stays the source of truth; signals only say "look".
 */
export function createRevocationHub(deps: { log: RevocationLog; clock: Clock; metrics?: Pick<Metrics, 'revocationBroadcast'> }) {
  const metrics = deps.metrics ?? noMetrics
  const listeners = new Set<RevocationListener>()
  let lastSeq: number | null = null
  let reading: Promise<void> | null = null
  let again = false

  async function drain(): Promise<void> {
    do {
      again = false
      if (lastSeq === null) lastSeq = await deps.log.currentSeq()
      for (;;) {
        const entries = await deps.log.listAfter(lastSeq, 500)
        if (entries.length === 0) break
        lastSeq = (entries[entries.length - 1] as StoredRevocation).seq
        for (const listener of listeners) listener(entries)
        // The feed's lag: from the write (on any instance, by its clock) to this hand-over.
        const now = deps.clock.now()
        for (const entry of entries) metrics.revocationBroadcast(now - entry.createdAt)
      }
    } while (again)
  }

  return {
    /** Something may have been committed: read and broadcast what is new. Coalesces bursts. */
    signal(): Promise<void> {
      if (reading) {
        again = true
        return reading
      }
      reading = drain().finally(() => {
        reading = null
      })
      return reading
    },
    /** Resolves once no read is in flight; closing the database before that fails the read (issue 16: the CLI's exit). */
    async idle(): Promise<void> {
      while (reading) await reading.catch(() => undefined)
    },
    subscribe(listener: RevocationListener): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    /** The highest sequence this hub has broadcast (or read at start). */
    async currentSeq(): Promise<number> {
      if (lastSeq === null) await this.signal()
      return lastSeq ?? 0
    },
    get subscribers(): number {
      return listeners.size
    },
  }
}

export type RevocationHub = ReturnType<typeof createRevocationHub>
