/**
 * How far the outbox can be read without skipping an event that has yet to commit.
 *
 * On PostgreSQL a sequence hands out numbers when rows are inserted, not when they commit: while
 * the transaction holding seq 10 is still open, seq 11 may already be visible. Reading past the
 * hole would lose event 10 for good. So the horizon stops before a hole, until the hole has been
 * seen for `graceMs`: then it belongs to a transaction that rolled back (sequences do not roll
 * back) and is skipped. SQLite has one writer at a time, so there it never waits.
 */
export interface HorizonInput {
  /** Every event up to and including this seq has been dealt with. */
  after: number
  /** The seqs read after `after`, ascending. */
  seqs: readonly number[]
  /** Holes already seen, by their first missing seq, and when each was first seen. */
  holes: ReadonlyMap<number, number>
  now: number
  graceMs: number
}

export interface Horizon {
  /** Events up to this seq may be handed out. */
  upTo: number
  /** The holes still waited for, for the next call. */
  holes: Map<number, number>
}

export function outboxHorizon(input: HorizonInput): Horizon {
  const holes = new Map<number, number>()
  let upTo = input.after
  let previous = input.after
  let blocked = false
  for (const seq of input.seqs) {
    if (seq > previous + 1) {
      const seenAt = input.holes.get(previous + 1) ?? input.now
      if (input.now - seenAt < input.graceMs) {
        holes.set(previous + 1, seenAt)
        blocked = true
      }
    }
    if (!blocked) upTo = seq
    previous = seq
  }
  return { upTo, holes }
}
