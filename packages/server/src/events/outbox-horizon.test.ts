import { describe, expect, it } from 'vitest'
import { outboxHorizon } from './outbox-horizon.js'

const GRACE = 10_000

describe('outbox horizon: never reading past an event that has yet to commit', () => {
  it('reads up to the last event when the sequence has no hole', () => {
    expect(outboxHorizon({ after: 4, seqs: [5, 6, 7], holes: new Map(), now: 0, graceMs: GRACE })).toEqual({ upTo: 7, holes: new Map() })
  })

  it('stops before a hole (an open transaction may still commit it) and remembers when it saw it', () => {
    const result = outboxHorizon({ after: 4, seqs: [5, 7, 8], holes: new Map(), now: 1000, graceMs: GRACE })
    expect(result.upTo).toBe(5)
    expect(result.holes).toEqual(new Map([[6, 1000]]))
  })

  it('goes on once the hole is filled', () => {
    const result = outboxHorizon({ after: 5, seqs: [6, 7, 8], holes: new Map([[6, 1000]]), now: 2000, graceMs: GRACE })
    expect(result).toEqual({ upTo: 8, holes: new Map() })
  })

  it('skips a hole that stayed open for the grace period (a rolled-back transaction)', () => {
    const waiting = outboxHorizon({ after: 5, seqs: [7, 8], holes: new Map([[6, 1000]]), now: 1000 + GRACE - 1, graceMs: GRACE })
    expect(waiting.upTo).toBe(5)
    const skipped = outboxHorizon({ after: 5, seqs: [7, 8], holes: new Map([[6, 1000]]), now: 1000 + GRACE, graceMs: GRACE })
    expect(skipped).toEqual({ upTo: 8, holes: new Map() })
  })

  it('tracks every hole it sees, so later holes are not waited for again from scratch', () => {
    const result = outboxHorizon({ after: 0, seqs: [2, 4], holes: new Map(), now: 500, graceMs: GRACE })
    expect(result.upTo).toBe(0)
    expect(result.holes).toEqual(
      new Map([
        [1, 500],
        [3, 500],
      ]),
    )
  })

  it('stays where it is when there is nothing new', () => {
    expect(outboxHorizon({ after: 9, seqs: [], holes: new Map(), now: 0, graceMs: GRACE }).upTo).toBe(9)
  })
})
