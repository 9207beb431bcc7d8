import { describe, expect, it } from 'vitest'
import { createHousekeeping } from './housekeeping.js'
import type { PurgeRule } from './retention-rules.js'

/** A rule over `rows` fake rows that costs `cost` ms of the fake elapsed clock per statement. */
function fakeRule(table: string, rows: number, time: { ms: number }, cost = 1, log: string[] = []): PurgeRule & { left(): number } {
  let left = rows
  return {
    table,
    async purgeBatch(_now, limit) {
      time.ms += cost
      const n = Math.min(limit, left)
      left -= n
      log.push(`${table}:${n}`)
      return n
    },
    left: () => left,
  }
}

describe('the housekeeping runner', () => {
  it('repeats a statement until a batch comes back short, pausing between statements', async () => {
    const time = { ms: 0 }
    const log: string[] = []
    const rules = [fakeRule('a', 5, time, 1, log), fakeRule('b', 0, time, 1, log), fakeRule('c', 2, time, 1, log)]
    const housekeeping = createHousekeeping({
      rules,
      clock: { now: () => 0 },
      batchSize: 2,
      budgetMs: 1000,
      elapsed: () => time.ms,
      pause: async () => {
        log.push('pause')
      },
      onError: () => {},
    })
    const report = await housekeeping.run()
    expect(report).toEqual({ purged: { a: 5, c: 2 }, batches: 6, complete: true, failed: [], durationMs: 6 })
    expect(log).toEqual(['a:2', 'pause', 'a:2', 'pause', 'a:1', 'pause', 'b:0', 'pause', 'c:2', 'pause', 'c:0'])
  })

  it('stops at its time budget and resumes at the rule it stopped in', async () => {
    const time = { ms: 0 }
    const rules = [fakeRule('a', 10, time, 10), fakeRule('b', 10, time, 10)]
    const housekeeping = createHousekeeping({
      rules,
      clock: { now: () => 0 },
      batchSize: 2,
      budgetMs: 30,
      elapsed: () => time.ms,
      pause: async () => {},
      onError: () => {},
    })
    const first = await housekeeping.run()
    expect(first).toMatchObject({ purged: { a: 6 }, batches: 3, complete: false })
    // The next run goes on with `a` (the third statement finds it empty), then `b` in the run after.
    const second = await housekeeping.run()
    expect(second).toMatchObject({ purged: { a: 4 }, batches: 3, complete: false })
    const third = await housekeeping.run()
    expect(third).toMatchObject({ purged: { b: 6 }, complete: false })
    const fourth = await housekeeping.run()
    // `b` is empty now, but the budget ran out before `a` was looked at again.
    expect(fourth).toMatchObject({ purged: { b: 4 }, complete: false })
    expect(await housekeeping.run()).toMatchObject({ purged: {}, batches: 2, complete: true })
    expect(rules.map((rule) => rule.left())).toEqual([0, 0])
  })

  it('goes on with the next rule when one fails, and says which failed', async () => {
    const time = { ms: 0 }
    const errors: string[] = []
    const broken: PurgeRule = {
      table: 'broken',
      purgeBatch: async () => {
        throw new Error('no such table')
      },
    }
    const housekeeping = createHousekeeping({
      rules: [broken, fakeRule('b', 3, time)],
      clock: { now: () => 0 },
      batchSize: 10,
      budgetMs: 1000,
      elapsed: () => time.ms,
      onError: (table, error) => errors.push(`${table}: ${(error as Error).message}`),
    })
    expect(await housekeeping.run()).toMatchObject({ purged: { b: 3 }, failed: ['broken'], complete: true })
    expect(errors).toEqual(['broken: no such table'])
  })

  it('runs one pass at a time: a second call while one runs gets the same pass', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let statements = 0
    const slow: PurgeRule = {
      table: 'slow',
      async purgeBatch() {
        statements++
        await gate
        return 0
      },
    }
    const housekeeping = createHousekeeping({ rules: [slow], clock: { now: () => 0 }, batchSize: 10, budgetMs: 1000, onError: () => {} })
    const one = housekeeping.run()
    const two = housekeeping.run()
    expect(two).toBe(one)
    release()
    await one
    expect(statements).toBe(1)
    expect(housekeeping.lastReport()).toMatchObject({ complete: true, finishedAt: 0 })
  })
})
