import { describe, expect, it } from 'vitest'
import { eachConcurrently } from './each-concurrently.js'

/** A promise with its resolve handle, to finish work items in an order the test chooses. */
function gate() {
  let open = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

describe('eachConcurrently', () => {
  it('runs every item once, starts them in order and never more than `concurrency` at once', async () => {
    const gates = Array.from({ length: 7 }, gate)
    const started: number[] = []
    let running = 0
    let most = 0
    const done = eachConcurrently([0, 1, 2, 3, 4, 5, 6], 3, async (item) => {
      started.push(item)
      running += 1
      most = Math.max(most, running)
      await gates[item]?.opened
      running -= 1
    })
    await Promise.resolve()
    expect(started).toEqual([0, 1, 2])
    // Finishing item 1 lets exactly one more start.
    gates[1]?.open()
    await new Promise((resolve) => setImmediate(resolve))
    expect(started).toEqual([0, 1, 2, 3])
    for (const g of gates) g.open()
    await done
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(most).toBe(3)
  })

  it('starts no worker for an empty list, and one per item when the items are fewer than the limit', async () => {
    let calls = 0
    await eachConcurrently([], 4, async () => {
      calls += 1
    })
    expect(calls).toBe(0)
    let running = 0
    let most = 0
    await eachConcurrently(['a', 'b'], 8, async () => {
      running += 1
      most = Math.max(most, running)
      await new Promise((resolve) => setImmediate(resolve))
      running -= 1
    })
    expect(most).toBe(2)
  })

  it('rejects with the first failure', async () => {
    const failure = new Error('store unavailable')
    await expect(
      eachConcurrently([1, 2, 3], 2, async (item) => {
        if (item === 2) throw failure
      }),
    ).rejects.toBe(failure)
  })
})
